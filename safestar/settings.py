"""Settings for SafeStar, driven by the environment.

SAFESTAR_SECRET_KEY  secret key; without it a random key is kept in var/secret_key (demo/dev only)
SAFESTAR_DEBUG       "1" for Django's debug pages (never in production)
SAFESTAR_HOSTS       comma-separated host names (default 127.0.0.1,localhost)
DATABASE_URL         e.g. postgres://postgres@127.0.0.1:5432/safestar; default SQLite in var/
SAFESTAR_VAR         folder for the SQLite database, secret key, uploads (default ./var)
SAFESTAR_PRODUCTION  "1" for production: secrets must come from the environment, HTTPS-only cookies,
                     HSTS, two-factor authentication always on (`safestar check --deploy` is clean)
SAFESTAR_DEMO        "1" for the demo: a banner on every page; two-factor authentication relaxed
SAFESTAR_MAX_SESSIONS  concurrent sessions per account (default 2; the oldest is ended)
SAFESTAR_AUDIT_KEY   base64 HMAC key of the audit chain; without it var/audit_key (SAFESTAR_AUDIT_KEY_FILE)
SAFESTAR_AUDIT_CHECKPOINTS  append-only file of the audit chain's checkpoints (default var/audit_checkpoints.jsonl)
SAFESTAR_ISSUING_OFFICE  the issuer documents name, {name} the division's (default {name}平安建设工作领导小组办公室)
SAFESTAR_STORED_PAGES  "0" to draw every page afresh (default "1": core/pages.py; `bench pages --fresh`)
"""

import os
import secrets
from pathlib import Path

import datetime

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

PRODUCTION = os.environ.get("SAFESTAR_PRODUCTION") == "1"
DEMO = os.environ.get("SAFESTAR_DEMO") == "1" and not PRODUCTION

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SAFESTAR_VAR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _required(name):
    if value := os.environ.get(name):
        return value
    raise ImproperlyConfigured(f"生产环境必须通过环境变量 {name} 提供该配置，系统拒绝启动。")


def _secret_key():
    if key := os.environ.get("SAFESTAR_SECRET_KEY"):
        return key
    if PRODUCTION:
        return _required("SAFESTAR_SECRET_KEY")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SAFESTAR_DEBUG") == "1" and not PRODUCTION
ALLOWED_HOSTS = (_required("SAFESTAR_HOSTS") if PRODUCTION else os.environ.get("SAFESTAR_HOSTS", "127.0.0.1,localhost")).split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "safestar.core",
    "safestar.org",
    "safestar.audit",
    "safestar.incidents",
    "safestar.security",
    "safestar.disputes",
    "safestar.publicity",
    "safestar.safety",
    "safestar.religion",
    "safestar.emergency",
    "safestar.profiles",
    "safestar.keypersons",
    "safestar.nilreturns",  # after the ledgers: its demo files nil returns where their registers are empty
    "safestar.schemes",
    "safestar.creation",
    "safestar.reports",
    "safestar.evaluation",
    "safestar.dashboards",
    "safestar.notices",  # the outbox: notifications from every app's 我的待办, in-app inbox, e-mail and webhook channels
    "safestar.bench",  # `safestar bench`: the province-scale benchmark (docs/benchmarks.md); no models, no pages
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safestar.org.middleware.RenewingSessionMiddleware",  # saved when changed or a minute old
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safestar.core.middleware.LoginRequired",
    "safestar.core.edge.EdgeInput",
    "safestar.audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "safestar.org.middleware.AccountGate",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safestar.urls"
WSGI_APPLICATION = "safestar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safestar.org.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'safestar.sqlite3'}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids lock upgrades failing midway.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,  # seconds a writer waits for another to commit
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so that psycopg prepares a statement once a connection (kept for
    # CONN_MAX_AGE) has run it 5 times: the server then plans it once instead of on every request (the
    # village page's 20 queries: about 8 ms less; docs/architecture.md "服务进程"). Not behind a
    # PgBouncer in transaction mode (it cannot keep prepared statements).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (imports, long documents, scheduled cleanup): Django's tasks, kept in the database
# by django-tasks-db and run by `safestar worker` beside the web server (docs/architecture.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Pages sent again while nothing they show has changed (core/pages.py): in each process's memory, per
# user and data version; at most MAX_ENTRIES pages (of at most 512 KB) per process, ten minutes each.
SAFESTAR_STORED_PAGES = os.environ.get("SAFESTAR_STORED_PAGES", "1") == "1"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages", "TIMEOUT": 600,
              "OPTIONS": {"MAX_ENTRIES": 200}},
}

SAFESTAR_WORKER_STALE = 60  # seconds without a heartbeat after which pages say the worker is not running
SAFESTAR_STASH_MAX_AGE = 3600  # seconds an uploaded import file is kept (encrypted) awaiting confirmation

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # the dashboard for the roles that run the campaign, else home
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account or address first
    "safestar.org.middleware.AccountBackend",  # ModelBackend, loading the user with division and authenticator flag
]
# 等保2.0 身份鉴别: at least 8 characters, 3 of the 4 character classes, not containing the username,
# not one of the last 5; a change is forced at first login and every 90 days (org/middleware.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "safestar.org.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "safestar.org.passwords.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "safestar.org.passwords.HistoryValidator", "OPTIONS": {"count": 5}},
]
SAFESTAR_PASSWORD_MAX_AGE = datetime.timedelta(days=90)

# Five wrong passwords lock the account and, separately, the source address for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "org/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and with the browser: a request renews the stored expiry when the
# session changed or was last saved a minute ago or more (org/middleware.py RenewingSessionMiddleware),
# so an idle session ends 29 to 30 minutes after its last request.
SESSION_ENGINE = "safestar.org.sessions"  # Django's database sessions, read by a statement made once (org/sessions.py)
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SAFESTAR_SESSION_RENEW_AFTER = 60  # seconds; must stay well below SESSION_COOKIE_AGE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SAFESTAR_MAX_SESSIONS = int(os.environ.get("SAFESTAR_MAX_SESSIONS", "2"))
# The issuer every Word/PDF document names (core/documents.py issuing_office): {name} is the division's name.
SAFESTAR_ISSUING_OFFICE = os.environ.get("SAFESTAR_ISSUING_OFFICE", "{name}平安建设工作领导小组办公室")

# Two-factor authentication (TOTP) for the roles that need it (roles.py: requires_2fa). Only the
# demo may relax it, and says so on every page; production never does.
SAFESTAR_REQUIRE_2FA = not DEMO
OTP_TOTP_ISSUER = "平安法治星"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Strict Content-Security-Policy: nothing from outside, no inline style, scripts only with the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SAFESTAR_DEMO_BANNER = DEMO

# Input at the edge (core/edge.py, docs/security.md): the years a query or an API parameter may
# name, and the window every date typed into a form must fall in (a ledger date that cannot lie
# ahead is checked by the ledger form itself).
SAFESTAR_YEARS = (1949, 2100)
SAFESTAR_EARLIEST_DATE = datetime.date(1949, 1, 1)
SAFESTAR_DAYS_AHEAD = 366
SAFESTAR_PLANNED_DAYS_AHEAD = 3653  # dates planned years ahead (a ledger's planned_date_fields): ten years

# Field encryption keys (AES-256-GCM) and the HMAC key for exact-match lookups: from the
# environment, or from a key file kept outside the database (see docs/security.md).
SAFESTAR_FIELD_KEYS = os.environ.get("SAFESTAR_FIELD_KEYS", "")
SAFESTAR_KEY_FILE = Path(os.environ.get("SAFESTAR_KEY_FILE", VAR_DIR / "field_keys.json"))
SAFESTAR_KEYS_AUTOCREATE = not PRODUCTION  # demo and development: make a key file on first use
if PRODUCTION and not SAFESTAR_FIELD_KEYS and not os.environ.get("SAFESTAR_KEY_FILE"):
    _required("SAFESTAR_FIELD_KEYS")

# The audit chain's HMAC key (never in the database) and the append-only file of its checkpoints
# (safestar/audit/chain.py, docs/security.md). The key file is created on first use.
SAFESTAR_AUDIT_KEY = os.environ.get("SAFESTAR_AUDIT_KEY", "")
SAFESTAR_AUDIT_KEY_FILE = Path(os.environ.get("SAFESTAR_AUDIT_KEY_FILE", VAR_DIR / "audit_key"))
SAFESTAR_AUDIT_CHECKPOINTS = Path(os.environ.get("SAFESTAR_AUDIT_CHECKPOINTS", VAR_DIR / "audit_checkpoints.jsonl"))

if PRODUCTION:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SAFESTAR_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.environ.get("SAFESTAR_BEHIND_TLS_PROXY") == "1":  # TLS ends at a reverse proxy
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Notifications (safestar/notices, docs/notifications.md). The in-app inbox is always on; outside channels
# are listed in SAFESTAR_NOTICE_CHANNELS ("email,webhook" or dotted paths of channel classes).
SAFESTAR_NOTICE_CHANNELS = [c.strip() for c in os.environ.get("SAFESTAR_NOTICE_CHANNELS", "").split(",") if c.strip()]
SAFESTAR_NOTICE_WEBHOOK_URL = os.environ.get("SAFESTAR_NOTICE_WEBHOOK_URL", "")  # 企业微信 / 钉钉 group robot
SAFESTAR_NOTICE_WEBHOOK_TIMEOUT = 10  # seconds
SAFESTAR_NOTICE_ATTEMPTS = 5  # a delivery failing this many times is given up (shown to the administrator)
# An evaluation stage's deadline is reminded this many days before it passes (evaluation/panels.py), and once more when it has passed.
SAFESTAR_DEADLINE_REMINDER_DAYS = int(os.environ.get("SAFESTAR_DEADLINE_REMINDER_DAYS", "3") or 3)
MAILERS = {  # Django 6.1's mail configuration: SMTP from the environment
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("SAFESTAR_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("SAFESTAR_EMAIL_PORT", "25")),
            "username": os.environ.get("SAFESTAR_EMAIL_USER", ""),
            "password": os.environ.get("SAFESTAR_EMAIL_PASSWORD", ""),
            "use_tls": os.environ.get("SAFESTAR_EMAIL_TLS") == "1",
            "timeout": 10,
        },
    },
}
DEFAULT_FROM_EMAIL = os.environ.get("SAFESTAR_EMAIL_FROM", "safestar@localhost")
SAFESTAR_SITE_URL = os.environ.get("SAFESTAR_SITE_URL", "http://127.0.0.1:8000")  # links in e-mail and webhook messages
