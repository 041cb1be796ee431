"""A published count with funded proposals, and officers to deliver them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pbplatform.results.services import publish_results, run_count
from tests.factories import create_user
from tests.results.conftest import build_counted, counted  # noqa: F401  (fixture)


@pytest.fixture
def funded(db, app, tmp_path):
    """build_counted's scene counted and published, the cycle in its results phase.
    Funded: a (Playground) and c (Benches) in Fennpfuhl, d and e district-wide, x elsewhere;
    b (Tree avenue) is not funded."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    s = build_counted(db)
    s.version = publish_results(run_count(s.cycle, s.counter), s.checker)
    s.cycle.phase = "results"
    s.officer = create_user("officer", officer_areas=(s.home,), name="Area Officer")
    s.outsider = create_user("officer", officer_areas=(s.other,))
    db.session.flush()
    return s


def image_bytes(kind: str = "JPEG", size=(64, 48), exif: bytes | None = None) -> bytes:
    image = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(out, format=kind, **options)
    return out.getvalue()


def gps_exif() -> bytes:
    """EXIF with a GPS position (52.5 N, 13.5 E) and a camera serial number."""
    exif = Image.Exif()
    exif[0x0110] = "Test Camera"  # Model
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (52.0, 30.0, 0.0), 3: "E", 4: (13.0, 30.0, 0.0)}
    return exif.tobytes()
