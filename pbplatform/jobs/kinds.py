"""What each kind of job does: a thin call into the feature's own service (names unchanged)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind
from pbplatform.jobs.runner import Progress, handler


def _user(job: Job) -> User:
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    if user is None:
        raise DomainError("job_owner_gone", "The account that started this job is gone.")
    return user


@handler(JobKind.COUNT)
def count(job: Job, progress: Progress) -> dict[str, Any]:
    from pbplatform.results import services as results

    cycle = db.session.get(Cycle, job.params["cycle_id"])
    if cycle is None:
        raise DomainError("cycle_gone", "The cycle no longer exists.", status=404)
    progress(10, "counting")
    version = results.run_count(cycle, _user(job))
    return {"slug": cycle.slug, "version": version.version}


@handler(JobKind.PRIVACY_EXPORT)
def privacy_export(job: Job, progress: Progress) -> dict[str, Any]:
    from pbplatform.privacy.export import create_export

    progress(10, "collecting")
    export = create_export(_user(job))
    return {"export_id": export.id}


@handler(JobKind.OPEN_DATA)
def open_data(job: Job, progress: Progress) -> dict[str, Any]:
    from pbplatform.delivery.opendata import build_release

    cycle = db.session.get(Cycle, job.params["cycle_id"])
    if cycle is None:
        raise DomainError("cycle_gone", "The cycle no longer exists.", status=404)
    progress(10, "building")
    release = build_release(cycle)
    return {"slug": cycle.slug, "release": release.number if release else None}


@handler(JobKind.CLOSE_VOTING)
def close_voting(job: Job, progress: Progress) -> dict[str, Any]:
    from pbplatform.cycles import services as cycles

    cycle = db.session.get(Cycle, job.params["cycle_id"])
    if cycle is None:
        raise DomainError("cycle_gone", "The cycle no longer exists.", status=404)
    progress(5, "starting")
    # No owner: the timer's close (`flask pb advance-phases`), audited as the system's.
    actor = _user(job) if job.created_by_id is not None else None
    closed = cycles.close_voting(cycle, actor, progress)
    return {"slug": cycle.slug, "closed": closed}


@handler(JobKind.PAPER_IMPORT)
def paper_import(job: Job, progress: Progress) -> dict[str, Any]:
    from pbplatform.channels import paper
    from pbplatform.channels.models import VotingSite
    from pbplatform.jobs.runner import upload

    cycle = db.session.get(Cycle, job.params["cycle_id"])
    site = db.session.get(VotingSite, job.params["site_id"])
    if cycle is None or site is None:
        raise DomainError("cycle_gone", "The cycle or its voting site no longer exists.")
    progress(5, "starting")
    record = paper.import_paper_csv(
        cycle, site, job.params["filename"], upload(), _user(job), progress
    )
    return {
        "slug": cycle.slug,
        "import_id": record.id,
        "rows": record.row_count,
        "invalid": record.invalid_count,
    }


@handler(JobKind.NOTIFICATION_MAIL)
def notification_mail(job: Job, progress: Progress) -> dict[str, Any]:
    """E-mail every notification waiting for someone who wants each at once (not only this
    event's: a job that never ran is made up for by the next)."""
    from pbplatform.notifications.services import send_immediate

    progress(10, "mailing")
    return {"sent": send_immediate()}


def result_url(job: Job) -> str | None:
    """Where a finished job's result is (built when shown: a worker has no request for URLs)."""
    if not job.result:
        return None
    if job.kind_enum is JobKind.COUNT:
        return url_for("results.preview", slug=job.result["slug"], number=job.result["version"])
    if job.kind_enum is JobKind.OPEN_DATA:
        return url_for("delivery.open_data", slug=job.result["slug"])
    if job.kind_enum is JobKind.CLOSE_VOTING:
        return url_for("cycles.admin_index")
    if job.kind_enum is JobKind.PAPER_IMPORT:
        return url_for("channels.paper_sites", slug=job.result["slug"])
    if job.kind_enum is JobKind.NOTIFICATION_MAIL:
        return None  # the e-mails are in the outbox; nothing to open
    return url_for("privacy.download_export", export_id=job.result["export_id"])
