"""The RQ queue in Redis, when JOBS_REDIS_URL is set (production); None means in-process."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue


def redis_connection() -> Redis | None:
    url = current_app.config.get("JOBS_REDIS_URL")
    if not url:
        return None
    return Redis.from_url(url)


def get_queue() -> Queue | None:
    connection = redis_connection()
    if connection is None:
        return None
    return Queue(current_app.config["JOBS_QUEUE"], connection=connection)
