"""Django settings, driven by environment variables.

TONGBAN_DEBUG, TONGBAN_SECRET_KEY, TONGBAN_ALLOWED_HOSTS, TONGBAN_DATA_DIR and DATABASE_URL
are read here; everything has a development default so the demo runs with no configuration.
A production deployment must set TONGBAN_SECRET_KEY and DATABASE_URL (PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from tongban.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TONGBAN_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("TONGBAN_DEBUG", False)


def _secret_key() -> str:
    """TONGBAN_SECRET_KEY, or a random key kept in the data directory (created on first start).

    There is no built-in default key: a node that forgot to configure one still gets a secret one.
    """
    configured = env_str("TONGBAN_SECRET_KEY", "")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("TONGBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TONGBAN_CSRF_TRUSTED_ORIGINS", [])

# Behind HTTPS (a reverse proxy that sets X-Forwarded-Proto): secure cookies and HSTS.
if env_bool("TONGBAN_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("TONGBAN_HSTS_SECONDS", 3600)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the OpenAPI docs' JS/CSS from static files: no CDN
    "tongban.core",
    "tongban.catalog",
    "tongban.calendar",
    "tongban.audit",
    "tongban.notifications",
    "tongban.accounts",
    "tongban.cases",
    "tongban.ratings",
    "tongban.documents",
    "tongban.dashboard",
    "tongban.federation",
    "tongban.verification",
    "tongban.hotline",
    "tongban.appointments",
    "tongban.tracking",
    "tongban.demo",
    "tongban.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongban.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongban.middleware.TongbanErrorMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dj_database_url.DBConfig:
    """SQLite (WAL, IMMEDIATE transactions, busy timeout) unless DATABASE_URL says otherwise."""
    url = env_str("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("TONGBAN_CONN_MAX_AGE", 60))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = _sqlite_options()
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "tongban.sqlite3"),
        "OPTIONS": _sqlite_options(),
    }


def _sqlite_options() -> dict:
    return {
        # IMMEDIATE: a writer takes the write lock at BEGIN, so two writers queue
        # instead of failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are served straight from the apps by WhiteNoise (no collectstatic step for the demo
# or tests); a production deployment may set TONGBAN_STATIC_ROOT and run `tongban collectstatic`.
STATIC_ROOT = env_str("TONGBAN_STATIC_ROOT", "") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded materials (tongban/core/blobs.py): stored by SHA-256 outside any static or media root and
# served only through the case pages' access check. No MEDIA_ROOT on purpose. Django's own in-memory
# limits stay at their defaults (2.5 MB: larger uploads spool to a temporary file); a TLS proxy in
# front should cap the request body too (docs/cases.md).
TONGBAN_BLOB_DIR = Path(env_str("TONGBAN_BLOB_DIR", str(DATA_DIR / "blobs"))).resolve()
TONGBAN_UPLOAD_MAX_BYTES = env_int("TONGBAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# 电子证照 reuse: the module offering an applicant's own valid signed results (offer / check)
TONGBAN_ELICENCE_SOURCE = "tongban.verification.elicences"

# Staff log in by username (StaffBackend: Django's ModelBackend refusing residents, /accounts/login/);
# residents by phone (PhoneBackend, /login/).
AUTHENTICATION_BACKENDS = ["tongban.accounts.backends.StaffBackend", "tongban.accounts.backends.PhoneBackend"]
# Who confirms that a credit code is this enterprise (accounts/ports.py): offline, the resident's word.
TONGBAN_ENTERPRISE_REGISTRY = "tongban.accounts.ports.self_declared"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "catalog:home"

SESSION_COOKIE_HTTPONLY = True

# The cache holds the public pages' rate-limit counters (tongban/core/ratelimit.py). The default is
# per process: enough for one process, but a production deployment with several gunicorn workers or
# hosts must point this at a shared cache (Redis, Memcached, or Django's database cache), or each
# worker counts on its own and the limits are multiplied by the number of workers (docs/tracking.md).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tongban"}}

X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TONGBAN_LOG_LEVEL", "WARNING")},
}

# Search: how many candidates the token index hands to the re-ranker.
CATALOG_SEARCH_CANDIDATES = env_int("TONGBAN_SEARCH_CANDIDATES", 200)

# Federation (docs/federation.md): this node's id in the trust bundle (empty: the node runs alone),
# its Ed25519 key file, and the trust bundle listing every node with its URL, key and regions.
TONGBAN_NODE_ID = env_str("TONGBAN_NODE_ID", "")
TONGBAN_NODE_KEY_FILE = env_str("TONGBAN_NODE_KEY_FILE", str(DATA_DIR / "node_key.pem"))
TONGBAN_TRUST_BUNDLE = env_str("TONGBAN_TRUST_BUNDLE", "")
# The prefix of this node's case numbers (two capital letters): TB alone; TZ 通州 and LF 廊坊 in the demo.
TONGBAN_CASE_PREFIX = env_str("TONGBAN_CASE_PREFIX", "TB")
if not (len(TONGBAN_CASE_PREFIX) == 2 and TONGBAN_CASE_PREFIX.isascii() and TONGBAN_CASE_PREFIX.isupper()):
    raise ValueError(f"TONGBAN_CASE_PREFIX must be two capital letters, got {TONGBAN_CASE_PREFIX!r}")
# What the cases app asks the layers above it (docs/cases.md): its federation port, and the extra
# panels of the case page, functions (request, case) -> dict merged into the page's context.
TONGBAN_CASE_FEDERATION = "tongban.federation.caseport.Federation"
# Called inside the transaction of every case change on this node (cases/ports.py case_changed): the
# layers above tell the applicant (notifications), invite a rating. Empty list: nobody listens.
# Order matters for 办结: verification signs the result and tells the applicant with its verify link before
# cases.tell would tell it with the progress link (same event key: the first one written wins).
TONGBAN_CASE_LISTENERS: list[str] = ["tongban.ratings.invite.invite", "tongban.verification.tell.tell_result",
                                     "tongban.cases.tell.tell_applicant"]
TONGBAN_CASE_PAGE_PANELS = ["tongban.documents.casepanel.notices", "tongban.federation.casepanel.exchange"]

# The address citizens reach this node at, for links sent by SMS (rating invitations …): no trailing slash.
TONGBAN_PUBLIC_URL = env_str("TONGBAN_PUBLIC_URL", "http://127.0.0.1:8000")

# SMS (docs/notifications.md): the gateway class (dotted path; the demo's writes DemoSms rows, shown at
# /dev/sms/ with DEBUG), and for notifications.gateways.HttpGateway the service's URL and bearer key.
TONGBAN_SMS_GATEWAY = env_str("TONGBAN_SMS_GATEWAY", "tongban.notifications.gateways.DemoGateway")
TONGBAN_SMS_GATEWAY_URL = env_str("TONGBAN_SMS_GATEWAY_URL", "")
TONGBAN_SMS_GATEWAY_KEY = env_str("TONGBAN_SMS_GATEWAY_KEY", "")

# 预约办理 (docs/appointments.md): the start times of the one-hour slots, and the places per slot per centre.
TONGBAN_APPOINTMENT_SLOTS = ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]
TONGBAN_APPOINTMENT_CAPACITY = env_int("TONGBAN_APPOINTMENT_CAPACITY", 3)

# 接诉即办 Open311 (docs/hotline.md): when set, creating a request needs one of these keys (api_key).
TONGBAN_OPEN311_API_KEYS = env_list("TONGBAN_OPEN311_API_KEYS", [])
