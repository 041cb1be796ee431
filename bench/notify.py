"""Telling many followers: what one event costs the request that causes it.

    python bench/notify.py --followers 10000 --immediate 0.1
    python bench/notify.py --database postgresql+psycopg://postgres@127.0.0.1/pbp_bench \
        --redis redis://127.0.0.1:6379/9

WARNING: it empties the database it is given (drop_all, create_all), and the Redis database
of --redis; the default is a fresh SQLite file in a temporary folder, and jobs in-process.

Builds a cycle whose --followers residents follow it (a share --immediate of them want each
notification by e-mail at once), then publishes the news of its results the way the results
feature does (`announce_results`), in a request-like app context, and prints: the request's
CPU time (time.process_time, load-independent) and wall time, its SQL statements, and the
notifications and e-mails that exist after its commit. Without --redis the e-mail job runs
inside the request (development); with it the job is queued, and is then run on its own as a
worker would (runner.perform), with the same figures (PostgreSQL only: a worker's progress
writes wait on SQLite's database lock, as in production where workers run on PostgreSQL).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--immediate", type=float, default=0.1, help="share wanting e-mail at once")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (emptied!)")
    parser.add_argument("--redis", default=None, help="a Redis database for the queue (emptied!)")
    return parser.parse_args()


def _scene(db, followers: int, immediate: float) -> int:
    from pbplatform.accounts.models import User
    from pbplatform.cycles.models import Cycle
    from pbplatform.notifications.models import Follow, NotificationSetting

    cycle = Cycle(
        slug="bench-notify", name="Bench", tracking_prefix="BN", district_budget_minor=100
    )
    db.session.add(cycle)
    db.session.flush()
    users = [
        {"email": f"f{n}@example.org", "display_name": f"Follower {n}", "password_hash": "x"}
        for n in range(followers)
    ]
    db.session.execute(sa.insert(User), users)
    ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("f%@example.org"))))
    db.session.execute(sa.insert(Follow), [{"user_id": i, "cycle_id": cycle.id} for i in ids])
    every = max(1, round(1 / immediate)) if immediate > 0 else 0
    chosen = [{"user_id": i, "email": "immediate"} for i in ids[::every]] if every else []
    if chosen:
        db.session.execute(sa.insert(NotificationSetting), chosen)
    db.session.commit()
    return cycle.id


def _measure(db, work) -> tuple[float, float, int]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        work()
        db.session.commit()
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    return time.process_time() - cpu, time.perf_counter() - wall, len(seen)


def _counts(db) -> tuple[int, int]:
    from pbplatform.mail.models import OutboxMessage
    from pbplatform.notifications.models import Notification

    notes = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    mails = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    return notes or 0, mails or 0


def main() -> None:
    args = _parse()
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'notify.sqlite3'}"
    from pbplatform import create_app
    from pbplatform.extensions import db
    from pbplatform.notifications.services import announce_results

    if args.redis:
        from redis import Redis

        Redis.from_url(args.redis).flushdb()
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "JOBS_REDIS_URL": args.redis}
    )
    rows: list[tuple[str, str]] = [("database", sa.make_url(url).get_backend_name())]
    with app.app_context():
        db.drop_all()
        db.create_all()
        cycle_id = _scene(db, args.followers, args.immediate)
    with app.test_request_context():
        cpu, wall, statements = _measure(db, lambda: announce_results(cycle_id))
        notes, mails = _counts(db)
    rows += [
        ("followers (e-mail at once)", f"{args.followers:,} ({args.immediate:.0%})"),
        ("request: CPU / wall", f"{cpu * 1000:,.0f} ms / {wall * 1000:,.0f} ms"),
        ("request: SQL statements", f"{statements:,}"),
        ("after the request: notifications / e-mails", f"{notes:,} / {mails:,}"),
    ]
    rows += _job_rows(app, db)
    if args.redis:
        from redis import Redis

        Redis.from_url(args.redis).flushdb()
    width = max(len(k) for k, _v in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def _job_rows(app, db) -> list[tuple[str, str]]:
    from pbplatform.jobs import models as jobs
    from pbplatform.jobs.runner import perform

    kind = getattr(jobs.JobKind, "NOTIFICATION_MAIL", None)
    if kind is None:
        return [("e-mail job", "none: e-mail is written in the request")]
    with app.app_context():
        done = db.session.scalar(
            sa.select(sa.func.count(jobs.Job.id)).where(jobs.Job.status == jobs.JobStatus.DONE)
        )
    if done:
        return [("e-mail job", "ran inside the request (no --redis)")]
    return [("e-mail job", "queued"), *_run_queued(app, db, perform)]


def _run_queued(app, db, perform) -> list[tuple[str, str]]:
    from pbplatform.jobs.models import Job, JobStatus

    with app.app_context():
        ids = db.session.scalars(sa.select(Job.id).where(Job.status == JobStatus.QUEUED)).all()
        db.session.remove()  # a worker holds no transaction of the request's
        cpu, wall, statements = _measure(db, lambda: [perform(i) for i in ids])
        notes, mails = _counts(db)
    return [
        ("job: CPU / wall", f"{cpu * 1000:,.0f} ms / {wall * 1000:,.0f} ms"),
        ("job: SQL statements", f"{statements:,}"),
        ("after the job: notifications / e-mails", f"{notes:,} / {mails:,}"),
    ]


if __name__ == "__main__":
    main()
