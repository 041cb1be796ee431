"""Photo files follow their rows: a request that fails after the photo was written leaves no
file behind, and `flask pb orphan-photos` finds (and with --delete removes) any file no row
names, such as one left by a server killed between writing and committing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbplatform.delivery import services as delivery_services
from pbplatform.delivery.models import Milestone, MilestonePhoto
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from tests.delivery.conftest import image_bytes
from tests.delivery.test_delivery import _milestone
from tests.factories import login_as


def _files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "photos"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("the server broke after the photo was written"),  # a 500: teardown
        DomainError("late_refusal", "Refused after the photo was written.", 409),  # a 4xx
    ],
    ids=["exception", "refusal"],
)
def test_a_request_failing_after_the_photo_was_written_leaves_no_file(
    app, client, funded, monkeypatch, failure
):
    s = funded
    login_as(client, s.officer)
    written: list[str] = []
    real_store = delivery_services.photo_files.store

    def store_then_note(photo):
        name = real_store(photo)
        written.append(name)
        assert name in _files(app)  # the file is on disk while the request runs
        return name

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(delivery_services.photo_files, "store", store_then_note)
    monkeypatch.setattr(delivery_services, "add_event", fail)  # runs after the photos
    if isinstance(failure, DomainError):
        assert _milestone(client, s.a, photos=[("a.jpg", image_bytes())]).status_code == 409
    else:
        with pytest.raises(RuntimeError):
            _milestone(client, s.a, photos=[("a.jpg", image_bytes())])
    assert len(written) == 1
    assert _files(app) == []
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_a_committed_photo_stays_and_a_rolled_back_one_goes(app, funded):
    s = funded
    db.session.commit()  # the scene (a savepoint release in tests)
    kept = delivery_services.add_milestone(
        s.a, s.officer, s.version.counted_at.date(), "One", [image_bytes()]
    )
    db.session.commit()
    [stored] = _files(app)
    assert kept.photos[0].file_name == stored
    delivery_services.add_milestone(
        s.a, s.officer, s.version.counted_at.date(), "Two", [image_bytes("PNG")]
    )
    assert len(_files(app)) == 2
    db.session.rollback()
    assert _files(app) == [stored]


def _plant(app, name: str, age_minutes: int) -> Path:
    folder = Path(app.config["UPLOAD_DIR"]) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"left over")
    then = time.time() - age_minutes * 60
    os.utime(path, (then, then))
    return path


def test_orphan_command_lists_by_default_and_deletes_only_when_asked(app, client, funded, runner):
    s = funded
    login_as(client, s.officer)
    assert _milestone(client, s.a, photos=[("a.jpg", image_bytes())]).status_code == 303
    [referenced] = db.session.scalars(sa.select(MilestonePhoto.file_name))
    orphan = _plant(app, "A" * 32 + ".jpg", age_minutes=120)
    part = _plant(app, ".leftover.jpg.part", age_minutes=120)  # a write that never finished
    young = _plant(app, "B" * 32 + ".png", age_minutes=1)  # maybe a request still running
    result = runner.invoke(args=["pb", "orphan-photos"])
    assert result.exit_code == 0, result.output
    assert orphan.name in result.output
    assert part.name in result.output
    assert young.name not in result.output
    assert referenced not in result.output
    assert "2 orphan file(s)" in result.output
    assert "dry run" in result.output
    assert orphan.exists()  # listed only
    assert part.exists()

    result = runner.invoke(args=["pb", "orphan-photos", "--delete"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 orphan file(s)" in result.output
    assert not orphan.exists()
    assert not part.exists()
    assert young.exists()
    assert referenced in _files(app)
    result = runner.invoke(args=["pb", "orphan-photos", "--delete", "--older-than-minutes", "0"])
    assert "deleted 1 orphan file(s)" in result.output
    assert _files(app) == [referenced]
