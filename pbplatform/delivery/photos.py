"""Milestone photos: checked from their content, re-encoded without metadata, stored under
UPLOAD_DIR with a random name.

The name a browser gives a file and the type it claims are ignored: Pillow reads the bytes and
only JPEG, PNG and WebP pass. The stored file is a fresh encoding of the pixels (the camera's
orientation applied first), so EXIF (GPS position, camera serial), XMP and ICC data are gone.
UPLOAD_DIR must be storage every app server reads (see README, Configuration).

A file is written before its row is committed (so a committed row never lacks its file) and
the session remembers it: if the transaction rolls back, or ends without a commit, the file
is removed again (`_forget_on_commit`, `_remove_on_rollback`, `_remove_uncommitted`). A server
killed between writing and committing can still leave a file no row names:
`flask pb orphan-photos` lists those and, with --delete, removes them.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session, SessionTransaction

from pbplatform.delivery.models import PHOTO_TYPES
from pbplatform.errors import DomainError
from pbplatform.extensions import db

MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)
MAX_SIDE = 2400  # stored photos are scaled down to this many pixels on their longer side
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|png|webp)$")


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _refuse() -> DomainError:
    return DomainError(
        "bad_photo",
        _("The photo must be a JPEG, PNG or WebP image of at most %(mb)s MB.", mb=max_mb()),
        field="photos",
    )


def max_mb() -> int:
    return int(current_app.config["PHOTO_MAX_BYTES"]) // (1024 * 1024)


# Complexity: one check per way an upload can fail to be a photo we accept (size, decodable, format,
# dimensions, frames), each before any pixel is kept.
def clean_photo(data: bytes) -> CleanPhoto:
    """The photo re-encoded from its pixels, or DomainError if the bytes are not a photo of an
    accepted type and size."""
    if not data or len(data) > current_app.config["PHOTO_MAX_BYTES"]:
        raise _refuse()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in PHOTO_TYPES or probe.width * probe.height > MAX_PIXELS:
                raise _refuse()
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse() from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    mode = "RGB" if kind == "JPEG" or upright.mode not in ("RGB", "RGBA", "L") else upright.mode
    if upright.mode == "P" and kind != "JPEG":
        mode = "RGBA"
    pixels = upright.convert(mode)
    # A new image from the pixels alone: none of the original's info (EXIF, XMP, ICC) follows.
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
    fresh.save(out, format=kind, **options)
    return CleanPhoto(out.getvalue(), PHOTO_TYPES[kind], EXTENSIONS[kind], *fresh.size)


def photo_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "photos"


def store(photo: CleanPhoto) -> str:
    """Write the photo under a new random name (written aside, then renamed into place)."""
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.{photo.extension}"
    temporary = folder / f".{name}.part"
    temporary.write_bytes(photo.content)
    os.replace(temporary, folder / name)
    _remember(folder / name)
    return name


# -- files of uncommitted rows -------------------------------------------------------------

UNCOMMITTED = "pbplatform.photos.uncommitted"  # session.info: [(path, transaction)]


def _remember(path: Path) -> None:
    session = db.session()
    innermost = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(UNCOMMITTED, []).append((path, innermost))


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@sa.event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    """The outermost commit keeps the files (a savepoint's release keeps them pending)."""
    if not session.in_nested_transaction():
        session.info.pop(UNCOMMITTED, None)


@sa.event.listens_for(Session, "after_soft_rollback")
def _remove_on_rollback(session: Session, previous: SessionTransaction) -> None:
    """Remove the files written inside the transaction (or savepoint) that rolled back."""
    pending = session.info.get(UNCOMMITTED)
    if not pending:
        return
    gone = [(p, t) for p, t in pending if _within(t, previous)]
    _unlink([p for p, _t in gone])
    session.info[UNCOMMITTED] = [entry for entry in pending if entry not in gone]


@sa.event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit (the session was closed): its rows
    were never stored, so neither are their files."""
    if transaction.parent is None:
        _unlink([p for p, _t in session.info.pop(UNCOMMITTED, [])])


# -- orphans -------------------------------------------------------------------------------


def orphan_files(older_than_seconds: float) -> list[Path]:
    """Files in the photo folder that no photo row names (left-over `.part` writes too),
    older than the given age, so a request still writing its photo is left alone."""
    folder = photo_dir()
    if not folder.is_dir():
        return []
    from pbplatform.delivery.queries import stored_photo_names

    named = stored_photo_names()
    cutoff = time.time() - older_than_seconds
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.name not in named and path.stat().st_mtime <= cutoff
    )


def path_of(file_name: str) -> Path | None:
    """The stored file for a name this module gave, else None (no other path is reachable)."""
    if not NAME.match(file_name):
        return None
    path = photo_dir() / file_name
    return path if path.is_file() else None
