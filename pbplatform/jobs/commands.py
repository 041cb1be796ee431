"""`flask pb worker`: work the job queue in Redis (JOBS_REDIS_URL)."""

from __future__ import annotations

import click
from flask import current_app
from rq import SimpleWorker

from pbplatform.jobs.queue import get_queue


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queue is empty, then stop.")
def worker(burst: bool) -> None:
    """Run a job worker (one job at a time; start several for more)."""
    queue = get_queue()
    if queue is None:
        raise click.ClickException("JOBS_REDIS_URL is not set: jobs run in-process, no worker.")
    # SimpleWorker runs jobs in this process, inside this app context: no fork, so the
    # database pool is never shared between processes. A killed worker's job is retried (or
    # failed) by RQ's clean-up of abandoned jobs, which calls runner.on_failure.
    current_app.logger.info("worker on queue %s", queue.name)
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)
