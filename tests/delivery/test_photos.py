"""Milestone photos: checked from content, stripped of metadata, served with safe headers."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from pbplatform.delivery.models import Milestone, MilestonePhoto
from pbplatform.extensions import db
from tests.delivery.conftest import gps_exif, image_bytes
from tests.delivery.test_delivery import _milestone
from tests.factories import login_as


def _stored(app, photo: MilestonePhoto) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "photos" / photo.file_name


def test_forged_extension_is_refused_and_nothing_is_stored(app, client, funded):
    s = funded
    login_as(client, s.officer)
    forged = [
        ("site.jpg", b"<html><script>alert(1)</script></html>"),
        ("site.png", b"%PDF-1.4 not a picture"),
        ("site.jpg", image_bytes("GIF")),  # a real image, of a type not accepted
        ("site.jpg", image_bytes()[:200]),  # a truncated JPEG
    ]
    for name, content in forged:
        response = _milestone(client, s.a, photos=[("ok.jpg", image_bytes()), (name, content)])
        assert response.status_code == 422, name
        assert "JPEG, PNG or WebP" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0
    folder = Path(app.config["UPLOAD_DIR"]) / "photos"
    assert not folder.exists() or not any(folder.iterdir())


def test_type_comes_from_content_not_name(client, funded):
    s = funded
    login_as(client, s.officer)
    assert _milestone(client, s.a, photos=[("photo.jpg", image_bytes("PNG"))]).status_code == 303
    photo = db.session.scalar(sa.select(MilestonePhoto))
    assert photo.content_type == "image/png"
    assert photo.file_name.endswith(".png")
    assert "photo" not in photo.file_name


def test_gps_and_camera_data_are_gone_from_the_stored_photo(app, client, funded):
    s = funded
    original = image_bytes(exif=gps_exif())
    with Image.open(io.BytesIO(original)) as check:  # the upload really carries them
        assert check.getexif().get_ifd(0x8825)
        assert b"SERIAL-12345" in original
    login_as(client, s.officer)
    assert _milestone(client, s.a, photos=[("IMG_0001.jpg", original)]).status_code == 303
    photo = db.session.scalar(sa.select(MilestonePhoto))
    stored = _stored(app, photo).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert "icc_profile" not in image.info
    assert b"Exif" not in stored
    assert b"SERIAL-12345" not in stored
    assert b"Test Camera" not in stored


def test_photo_is_served_with_safe_headers_to_anyone(app, client, funded):
    s = funded
    login_as(client, s.officer)
    _milestone(client, s.a, photos=[("a.webp", image_bytes("WEBP"))])
    photo = db.session.scalar(sa.select(MilestonePhoto))
    client.post("/logout")
    response = client.get(f"/delivery/photos/{photo.file_name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f'inline; filename="{photo.file_name}"'
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == _stored(app, photo).read_bytes()
    response.close()  # send_file streams from the open file
    page = client.get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert f"/delivery/photos/{photo.file_name}" in page
    for bad in ("../etc/passwd", "x.jpg", photo.file_name.replace(".webp", ".jpg")):
        assert client.get(f"/delivery/photos/{bad}").status_code == 404
