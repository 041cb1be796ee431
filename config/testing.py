"""Tests: an in-memory SQLite unless PBP_TEST_DATABASE_URL names another database."""

import os
import tempfile

TESTING = True
SECRET_KEY = "test-secret"
SQLALCHEMY_DATABASE_URI = os.environ.get("PBP_TEST_DATABASE_URL", "sqlite://")
WTF_CSRF_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_ENABLED = False
# Fast hashing keeps the suite quick; production parameters are tested separately.
ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
OFFICER_MFA_REQUIRED = True  # officers pass TOTP in tests too; login_as marks it done
# The worker-kill test starts `flask pb worker` with these (tests/jobs/test_worker_pg.py).
JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or None
JOBS_TEST_SLEEP = float(os.environ.get("JOBS_TEST_SLEEP", "0"))
# Milestone photos go to a throwaway folder (tests may point it at their own tmp_path).
UPLOAD_DIR = os.environ.get("PBP_TEST_UPLOAD_DIR") or tempfile.mkdtemp(prefix="pbp-uploads-")
# The per-machine cache of published downloads: a throwaway folder per test process.
FILE_CACHE_DIR = tempfile.mkdtemp(prefix="pbp-file-cache-")
