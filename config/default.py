"""Settings shared by every environment. Each value can be overridden from the environment."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///pbplatform.sqlite3")
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
# A pooled connection idle longer than this is checked (a round trip) before use, and replaced
# if the database dropped it (restart, idle timeout); a busy one is not: SQLAlchemy's
# pool_pre_ping checked before every request, one more round trip each (see pbplatform/db.py).
DB_PING_IDLE_SECONDS = float(os.environ.get("DB_PING_IDLE_SECONDS", "1"))
# The site's address (scheme and host) in the links of mail written outside a request: the
# notification e-mails are a job. Unset: the address of the request that wrote the mail, else
# http://127.0.0.1:5000; production takes https:// and its first TRUSTED_HOSTS name.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")

# Rate limits: memory in development, Redis when RATELIMIT_STORAGE_URI is set.
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_HEADERS_ENABLED = True
# With the store (Redis) down: "refuse" answers 503 on rate-limited routes; "memory" counts the
# same limits per worker process until it is back (see pbplatform/security/ratelimit.py).
RATELIMIT_FALLBACK = os.environ.get("RATELIMIT_FALLBACK", "refuse")
# Failed logins (see pbplatform/accounts/throttle.py): per client address; per account and
# address; per account from browsers that never logged in to it (no lockout of a chosen
# account from its owner's browser).
LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;100 per hour")
LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT = os.environ.get(
    "LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT", "5 per minute;20 per hour"
)
LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "100 per hour")
ACCOUNT_FORM_RATE_LIMIT = os.environ.get("ACCOUNT_FORM_RATE_LIMIT", "10 per hour")
PROPOSAL_RATE_LIMIT = os.environ.get("PROPOSAL_RATE_LIMIT", "20 per hour")
FLAG_RATE_LIMIT = os.environ.get("FLAG_RATE_LIMIT", "30 per hour")
OFFER_RATE_LIMIT = os.environ.get("OFFER_RATE_LIMIT", "30 per hour")
COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "20 per hour")
MERGE_CONSENT_DAYS = int(os.environ.get("MERGE_CONSENT_DAYS", "14"))
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "60 per minute")
API_WRITE_RATE_LIMIT = os.environ.get("API_WRITE_RATE_LIMIT", "10 per minute")
API_ADDRESS_RATE_LIMIT = os.environ.get("API_ADDRESS_RATE_LIMIT", "300 per minute")
API_TOKEN_CREATE_RATE_LIMIT = os.environ.get("API_TOKEN_CREATE_RATE_LIMIT", "10 per hour")
# Published ballot files per address (results.views.ballots_export); the page is not limited.
RESULT_DOWNLOAD_RATE_LIMIT = os.environ.get("RESULT_DOWNLOAD_RATE_LIMIT", "30 per minute")

# Voting codes and census entries are stored as HMACs under this pepper (default: derived
# from SECRET_KEY). Changing it invalidates every code and register entry.
CODE_PEPPER = os.environ.get("CODE_PEPPER")

# Every audit entry is authenticated with an HMAC under this key, which lives outside the
# database, so whoever can write the database cannot re-hash a rewritten chain (default:
# derived from SECRET_KEY; production requires it). Keep it for the life of the log.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY")
# A file outside the database holding the last verified chain head ("ID:HASH"); `flask pb
# audit checkpoint` writes it and `flask pb audit verify` checks it, so deleting the newest
# entries is detected. Unset: only heads given with --head and published results are checked.
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE")
# Stored secrets the app must read back (TOTP secrets, queued mail with reset, invitation and
# enrolment links) are encrypted under this key, urlsafe base64 of 32 bytes (`flask pb
# new-encryption-key` makes one). Unset: derived from SECRET_KEY (development and tests only;
# production requires it). Rotation: old keys, comma-separated, stay readable from
# DATA_ENCRYPTION_OLD_KEYS until `flask pb reencrypt` has re-sealed everything.
DATA_ENCRYPTION_KEY = os.environ.get("DATA_ENCRYPTION_KEY")
DATA_ENCRYPTION_OLD_KEYS = os.environ.get("DATA_ENCRYPTION_OLD_KEYS", "")
# Ballots are sealed while voting is open with a per-cycle key derived from this secret (one or
# more, space-separated: the first seals new cycles, any unseals). Default: derived from
# SECRET_KEY; production requires its own. See README, "Ballot secrecy".
BALLOT_BOX_SECRET = os.environ.get("BALLOT_BOX_SECRET")

BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = os.environ.get("PBP_TIMEZONE", "Europe/Berlin")
LANGUAGES = ["en", "de"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
PERMANENT_SESSION_LIFETIME = 60 * 60 * 8  # idle timeout
SESSION_ABSOLUTE_SECONDS = 60 * 60 * 12
INVITATION_TTL_SECONDS = 60 * 60 * 24 * 3

# Outgoing mail: development writes it to the log and the outbox table (see README).
MAIL_SENDER = os.environ.get("MAIL_SENDER", "pb@council.example")
# `flask pb send-mail` delivers the outbox through this server (unset: mail stays in the outbox).
MAIL_SERVER = os.environ.get("MAIL_SERVER")
MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
MAIL_USE_STARTTLS = os.environ.get("MAIL_USE_STARTTLS", "") in ("1", "true", "yes")
MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
PASSWORD_RESET_TTL_SECONDS = 60 * 60
# One-click unsubscribe links in notification e-mails work this many days. 90: a digest read
# late (after a long holiday, from a folder cleared each quarter) still works, while a
# forwarded or leaked mail stops working within a season; every new mail carries a fresh link,
# and a stale one shows a page that sends the person to sign in and choose there. Links also
# carry a fingerprint of SECRET_KEY: rotating the key retires every link issued before.
UNSUBSCRIBE_LINK_MAX_AGE_DAYS = int(os.environ.get("UNSUBSCRIBE_LINK_MAX_AGE_DAYS", "90"))

# Officers and administrators must pass a TOTP second factor after their password
# (security case 36). "0" turns it off; only development does (see development.py).
OFFICER_MFA_REQUIRED = os.environ.get("OFFICER_MFA_REQUIRED", "1") in ("1", "true", "yes")
MFA_RATE_LIMIT = os.environ.get("MFA_RATE_LIMIT", "5 per minute;20 per hour")
MFA_PENDING_SECONDS = 5 * 60  # time between the password and the code

# Reverse proxy hops in front of the app (gunicorn behind nginx: 1).
PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))

MAX_CONTENT_LENGTH = 5 * 1024 * 1024
# Milestone photos (delivery): stored under UPLOAD_DIR/photos. In production this must be
# storage every app server reads and writes (a shared volume, NFS); unset, the instance
# folder's `uploads` is used (one server only).
UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or None
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(4 * 1024 * 1024)))
# Published downloads (ballots.pb, open-data zips; pbplatform/filecache.py) are copied from the
# database into this per-machine cache on first request and sent from there (sendfile). Not
# shared, never a backup: any machine fills its own, and it may be emptied at any time. Unset:
# the instance folder's `file-cache`.
FILE_CACHE_DIR = os.environ.get("FILE_CACHE_DIR") or None
# With nginx in front: the internal location that serves FILE_CACHE_DIR (e.g. "/_files/");
# the app then answers with X-Accel-Redirect and nginx sends the file. Empty: off.
FILE_CACHE_ACCEL_PREFIX = os.environ.get("FILE_CACHE_ACCEL_PREFIX", "")

# Privacy (pbplatform/privacy): the notice every deployment publishes, and how long each kind
# of personal data is kept. `flask pb processing-record` prints the record built from these.
PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-12-07")
PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "The council (set PRIVACY_CONTROLLER)")
PRIVACY_CONTROLLER_ADDRESS = os.environ.get("PRIVACY_CONTROLLER_ADDRESS", "")
PRIVACY_DPO_CONTACT = os.environ.get("PRIVACY_DPO_CONTACT", "dpo@council.example")
PRIVACY_SUPERVISORY_AUTHORITY = os.environ.get("PRIVACY_SUPERVISORY_AUTHORITY", "")
# A download of one's data is kept this long, then deleted (by the download and by retention).
PRIVACY_EXPORT_TTL_HOURS = int(os.environ.get("PRIVACY_EXPORT_TTL_HOURS", "48"))
# Retention periods in days. "After the results" counts from a cycle's first publication.
RETENTION_OFFLINE_CONTACT_DAYS = int(os.environ.get("RETENTION_OFFLINE_CONTACT_DAYS", "183"))
RETENTION_CENSUS_DAYS = int(os.environ.get("RETENTION_CENSUS_DAYS", "0"))
RETENTION_VOTING_CODE_DAYS = int(os.environ.get("RETENTION_VOTING_CODE_DAYS", "0"))
RETENTION_OUTBOX_SENT_DAYS = int(os.environ.get("RETENTION_OUTBOX_SENT_DAYS", "0"))
RETENTION_LOGIN_TRACE_DAYS = int(os.environ.get("RETENTION_LOGIN_TRACE_DAYS", "30"))
RETENTION_INACTIVE_WARN_DAYS = int(os.environ.get("RETENTION_INACTIVE_WARN_DAYS", str(3 * 365)))
RETENTION_INACTIVE_GRACE_DAYS = int(os.environ.get("RETENTION_INACTIVE_GRACE_DAYS", "60"))

# Background jobs (pbplatform/jobs): an RQ queue in Redis, worked by `flask pb worker`. Unset,
# jobs run in-process inside the request that starts them (development and tests).
JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or None
JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "pbplatform")
JOBS_TIMEOUT_SECONDS = int(os.environ.get("JOBS_TIMEOUT_SECONDS", "1800"))
JOBS_RETRIES = int(os.environ.get("JOBS_RETRIES", "2"))
# Test hook only (config/testing.py reads it): seconds a job sleeps before committing its work.
JOBS_TEST_SLEEP = 0.0
