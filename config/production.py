"""Production: everything secret or stateful comes from the environment, or start-up fails."""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
# The ballot box's secret: kept apart from SECRET_KEY, so an app secret alone opens no ballots.
BALLOT_BOX_SECRET = os.environ["BALLOT_BOX_SECRET"]
SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
# The audit log's HMAC key: never derived from SECRET_KEY here (see config/default.py).
AUDIT_HMAC_KEY = os.environ["AUDIT_HMAC_KEY"]
# Encrypts TOTP secrets and queued mail; kept out of the database and its backups.
DATA_ENCRYPTION_KEY = os.environ["DATA_ENCRYPTION_KEY"]
# Keep statement parameters (password hashes, session and reset tokens, voter keys) out of
# the error messages that reach the logs.
SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
# Shared by every gunicorn worker and app server.
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
# The host names this site answers to (comma-separated). Any other Host or X-Forwarded-Host
# is a 400, so a forged Host cannot put an attacker's domain into password-reset links.
TRUSTED_HOSTS = [h.strip() for h in os.environ["TRUSTED_HOSTS"].split(",") if h.strip()]
# Links in e-mails: the worker writes notification mail outside any request (config/default.py).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or (
    f"https://{TRUSTED_HOSTS[0].lstrip('.')}" if TRUSTED_HOSTS else None
)
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-pbp_session"
# Trusted reverse proxies in front of the app. 0 unless every request really passes through
# that many proxies that set X-Forwarded-For: trusting a proxy that is not there lets any
# client choose its own address (and escape per-address limits). See README, Configuration.
PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
# Jobs run in a separate worker process (`flask pb worker`), never inside a web request.
JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "redis://127.0.0.1:6379/1")
