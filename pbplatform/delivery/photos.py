"""Milestone photos: checked from their content, re-encoded without metadata, stored under
UPLOAD_DIR with a random name.

The name a browser gives a file and the type it claims are ignored: Pillow reads the bytes and
only JPEG, PNG and WebP pass. The stored file is a fresh encoding of the pixels (the camera's
orientation applied first), so EXIF (GPS position, camera serial), XMP and ICC data are gone.
UPLOAD_DIR must be storage every app server reads (see README, Configuration).
"""

from __future__ import annotations

import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pbplatform.delivery.models import PHOTO_TYPES
from pbplatform.errors import DomainError

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
    return name


def path_of(file_name: str) -> Path | None:
    """The stored file for a name this module gave, else None (no other path is reachable)."""
    if not NAME.match(file_name):
        return None
    path = photo_dir() / file_name
    return path if path.is_file() else None
