"""Access expectations for job pages. The scene has no job: every signed-in role gets 404 (a
job is shown only to whoever started it, or an administrator; tests/jobs/ covers that)."""

_SIGNED_IN_404 = {
    "anonymous": 401,
    "resident": 404,
    "officer": 404,
    "officer_other_area": 404,
    "admin": 404,
}

ROUTES = {
    "jobs.show": {**_SIGNED_IN_404, "url": "/jobs/999999"},
    "jobs.status": {**_SIGNED_IN_404, "url": "/jobs/999999/status"},
}
