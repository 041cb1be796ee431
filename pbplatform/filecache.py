"""Published files served from disk: a per-machine cache filled from the database.

A published file (a result version's `ballots.pb`, an open-data zip) is stored once, in the
database, with its SHA-256. A download reads none of those bytes from the database: the first
request on a machine writes them to FILE_CACHE_DIR/<sha256[:2]>/<sha256> (plus `<sha256>.gz`
for text, for clients that accept gzip), after checking them against the SHA-256 of the row,
and every later request sends the file with the WSGI server's file wrapper (sendfile), or, with
FILE_CACHE_ACCEL_PREFIX set, tells nginx to send it (X-Accel-Redirect).

The directory is a cache, not storage: each machine fills its own, it may be emptied at any
time, and it is never trusted blindly. Each process hashes a file before it first serves it and
again whenever its inode, size, mtime or ctime changes (no write leaves all four alone); a file
that fails is written anew from the database. Bytes in the database that do not match the SHA-256
stored beside them are refused (FileMismatch), never cached or served.

Files no row references any more (a superseded open-data build) are removed by `unreferenced`
+ `remove` (`flask pb file-cache prune`), safe while serving: see `unreferenced`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, current_app, request, send_file
from flask_babel import gettext as _
from werkzeug.http import parse_range_header

from pbplatform.errors import DomainError

GZIP_SUFFIX = ".gz"
TMP_PREFIX = ".tmp-"  # a write in progress (or one killed midway)
CACHED_NAME = re.compile(r"[0-9a-f]{64}(\.gz)?")
FOLDER_NAME = re.compile(r"[0-9a-f]{2}")


class FileMismatch(DomainError):
    """The database's bytes of a published file do not match its stored SHA-256."""

    def __init__(self) -> None:
        super().__init__(
            "file_tampered",
            _(
                "This file was changed in the database after it was published; it is not "
                "served. Please tell the council."
            ),
            status=500,
        )


@dataclass(frozen=True)
class Published:
    """One immutable file: its SHA-256 (the ETag), how to read its bytes from the database
    (called only to fill the cache), and how it is offered."""

    sha256: str
    load: Callable[[], bytes]
    mimetype: str
    download_name: str
    last_modified: datetime | None = None
    compressible: bool = False  # text: a gzip copy is kept for clients that accept it


def _root() -> Path:
    return Path(current_app.config["FILE_CACHE_DIR"])


def path_of(sha256: str, *, compressed: bool = False) -> Path:
    """Where a file lives in this machine's cache (content-addressed)."""
    return _root() / sha256[:2] / (sha256 + (GZIP_SUFFIX if compressed else ""))


def _checked() -> dict[str, tuple[int, int, int, int]]:
    """Per process: path -> the (inode, size, mtime, ctime) it had when its hash was checked."""
    return current_app.extensions.setdefault("file_cache_checked", {})


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _trusted(path: Path, sha256: str, *, compressed: bool) -> bool:
    """The file is there and holds exactly the bytes of `sha256` (hashed once per process
    while it stays the same file)."""
    identity = _identity(path)
    if identity is None:
        return False
    checked = _checked()
    if checked.get(str(path)) == identity:
        return True
    try:
        data = path.read_bytes()
        if compressed:
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    checked[str(path)] = identity
    return True


def _write(path: Path, data: bytes, modified: datetime | None) -> None:
    """Write atomically (a reader sees the old file or the whole new one), read-only, dated
    `modified`: nginx sends the file with its mtime as Last-Modified (X-Accel-Redirect), which
    must be the publication's on every machine, not when this one filled its cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o444)
        if modified is not None:
            # naive datetimes are UTC here, as werkzeug takes them for Last-Modified
            stamp = (modified if modified.tzinfo else modified.replace(tzinfo=UTC)).timestamp()
            os.utime(tmp, (stamp, stamp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    identity = _identity(path)
    if identity is not None:
        _checked()[str(path)] = identity


def materialise(file: Published) -> Path:
    """The file's verified path in this machine's cache, written from the database first if
    it is missing or not what its SHA-256 says (FileMismatch if the database's bytes are not)."""
    path = path_of(file.sha256)
    if not _trusted(path, file.sha256, compressed=False):
        content = file.load()
        if hashlib.sha256(content).hexdigest() != file.sha256:
            current_app.logger.error("stored file %s fails its SHA-256", file.sha256)
            raise FileMismatch()
        _write(path, content, file.last_modified)
    if file.compressible:
        packed = path_of(file.sha256, compressed=True)
        if not _trusted(packed, file.sha256, compressed=True):
            _write(
                packed,
                gzip.compress(path.read_bytes(), compresslevel=6, mtime=0),
                file.last_modified,
            )
    return path


def wants_gzip(file: Published) -> bool:
    return file.compressible and request.accept_encodings["gzip"] > 0


def etag_of(file: Published) -> str:
    """The ETag of the representation this request gets (the gzip copy has its own)."""
    return file.sha256 + ("-gzip" if wants_gzip(file) else "")


def send(file: Published) -> Response:
    """The file as a download (200, or 206 for a Range), from this machine's cache. The
    caller sets the caching headers (results.http.file_headers) and answers 304 first."""
    compressed = wants_gzip(file)
    path = materialise(file)
    if compressed:
        path = path_of(file.sha256, compressed=True)
    prefix = current_app.config.get("FILE_CACHE_ACCEL_PREFIX")
    if not prefix and not _one_range(path.stat().st_size):
        # RFC 9110 14.2: a server may ignore Range, and a 416 is for a range starting past
        # the end; werkzeug answers 416 to every range it does not serve (several, another
        # unit, a malformed one, a suffix longer than the file), so such a client got nothing.
        request.environ.pop("HTTP_RANGE", None)
    if prefix:
        response = _accel(prefix, path, file)
    else:
        response = send_file(
            path,
            mimetype=file.mimetype,
            etag=etag_of(file),
            last_modified=file.last_modified,
            conditional=True,  # Range requests (and If-None-Match once more)
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{file.download_name}"'
    if file.compressible:
        response.vary.add("Accept-Encoding")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _one_range(length: int) -> bool:
    """No Range, or the one byte range werkzeug serves (or refuses as starting past the end)."""
    header = request.headers.get("Range")
    if header is None:
        return True
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return False
    start, _stop = parsed.ranges[0]
    return start >= 0 or -start <= length


def _accel(prefix: str, path: Path, file: Published) -> Response:
    """An empty answer telling nginx which cached file to send (README, Production)."""
    relative = path.relative_to(_root()).as_posix()
    response = Response(mimetype=file.mimetype)
    response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + relative
    response.set_etag(etag_of(file))
    if file.last_modified is not None:
        response.last_modified = file.last_modified
    return response


# --- pruning -------------------------------------------------------------------------------


def unreferenced(referenced: Callable[[], set[str]], older_than_seconds: float) -> list[Path]:
    """Cache files whose SHA-256 is not in `referenced()` (what the rows of the database
    hold), and left-over partial writes, last modified more than `older_than_seconds` ago.

    Safe while serving: the clock is read before the references, and a file is only ever
    written after its row is visible, so a file older than the cut-off belongs to a row the
    references include (or to one already deleted); younger files, such as one a download is
    filling right now, are left alone. Only names this module writes are considered (nothing
    else in the folder is touched), and folders stay (a writer may be about to use one)."""
    root = _root()
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    kept = referenced()
    found = [
        path
        for folder in root.iterdir()
        if FOLDER_NAME.fullmatch(folder.name) and folder.is_dir()
        for path in folder.iterdir()
        if _stale(path, kept, cutoff)
    ]
    return sorted(found)


def _stale(path: Path, kept: set[str], cutoff: float) -> bool:
    name = path.name
    cached = CACHED_NAME.fullmatch(name) is not None
    if not (name.startswith(TMP_PREFIX) or cached):
        return False
    if cached and name.removesuffix(GZIP_SUFFIX) in kept:
        return False
    try:
        st = path.lstat()
    except FileNotFoundError:  # removed meanwhile (another prune)
        return False
    return stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff


def remove(paths: list[Path]) -> tuple[int, int]:
    """Delete these cache files (as `unreferenced` found them): (files, bytes) removed. A
    process sending one of them keeps its open file; a later request writes it anew if needed."""
    removed = freed = 0
    for path in paths:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:  # gone meanwhile (another prune)
            continue
        removed, freed = removed + 1, freed + size
    return removed, freed
