"""Settings of the chamber portal: one module, read from the environment.

With nothing set and DEBUG on, the portal runs on SQLite and kombu's filesystem
broker under var/, and writes mail to var/mail/. With DEBUG off, SECRET_KEY and
ALLOWED_HOSTS must be set; a malformed value stops startup naming the variable.
"""

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r}: must be a whole number"
        ) from None


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


# Core

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "dev-only-not-secret-" + "x" * 40
elif not DEBUG and len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "SECRET_KEY is too short: use at least 40 random characters"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names)"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Our apps first, so their templates and translations win; the order is the import order.
    "chamber",
    "members",
    "groups",
    "activities",
    "petitions",
    "publicity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    # django_celery_beat, under the heading 定时任务.
    "chamber.apps.ScheduledTasksConfig",
    "axes",
    "import_export",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then: staff and officials go no further without it.
    "django_otp.middleware.OTPMiddleware",
    "chamber.second_factor.SecondFactorMiddleware",
    # After the CSRF check and the user: logs 403s (telling CSRF failures apart), 404s
    # on object URLs and password reset requests to "chamber.security".
    "chamber.security_log.SecurityLogMiddleware",
    # Who made a change that keeps its history (the method's rules, chamber/method_rules.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chamber.urls"
WSGI_APPLICATION = "chamber.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chamber.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite when DATABASE_URL is unset, so a laptop needs no server.

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        _db = dj_database_url.parse(
            _database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
        )
    except Exception as exc:  # dj-database-url raises several kinds on nonsense
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a usable database URL: {exc}"
        ) from None
    if _db.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured("DATABASE_URL must be postgres://… or sqlite:///…")
    _db["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker, beat and web server read while one of them writes;
    # IMMEDIATE plus a busy timeout makes writers queue instead of failing.
    # The test database is a file, since a worker subprocess cannot see :memory:.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    _db["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME", str(VAR_DIR / "test_db.sqlite3"))
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when CACHE_URL is set, else memory of this process. Pages never need it:
# when Redis fails, chamber.cache answers a miss and logs it (see README, "Redis").

_cache_url = os.environ.get("CACHE_URL", "").strip()
if _cache_url and not _cache_url.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        "CACHE_URL must be redis://… (or unset for a local memory cache)"
    )
CACHES = {
    "default": (
        {
            "BACKEND": "chamber.cache.RedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {
                # Redis answers a healthy request in well under a millisecond; a host
                # that is down must cost a page half a second once, not a hang.
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                # then this process leaves it alone for this long (chamber/cache.py)
                "RETRY_SECONDS": 5,
            },
        }
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Accounts

AUTH_USER_MODEL = "chamber.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "chamber.backends.UserBackend",
    # 手机号 + 验证码 (chamber/sms_login.py), after django-axes' check like the password.
    "chamber.sms_login.SmsCodeBackend",
]
PASSWORD_HASHERS = [
    # Argon2id at OWASP's minimum (chamber/passwords.py); older hashes upgrade at login.
    "chamber.passwords.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "chamber.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour, not Django's three days
# How long the link in an invitation e-mail (members.invitations) lets a member choose a password.
INVITATION_TIMEOUT_DAYS = env_int("INVITATION_TIMEOUT_DAYS", 7)
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "chamber-demo")

# django-axes: lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failed attempts are stored with what was posted: never a password or an SMS code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "sms_code"]
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "chamber.security.client_ip"
# How many reverse proxies in front of gunicorn append to X-Forwarded-For; 0 trusts none.
PROXY_COUNT = env_int("PROXY_COUNT", 0)

# Sessions: in the database, read through the cache (one Redis GET, 0.1 ms, where the
# database's "db" engine costs a query, 0.4 ms, on every logged-in page). When Redis
# fails, chamber.cache makes each read a miss: the session comes from the database and
# the user stays logged in; a logout during the outage is made good when Redis is back.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Language and time

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and uploaded files

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development WhiteNoise serves straight from static/; production serves collectstatic output.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# django-import-export: an import is one transaction, rolled back when a row is invalid.
IMPORT_EXPORT_USE_TRANSACTIONS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis in production; kombu's filesystem transport when CELERY_BROKER_URL is unset,
# so `make run` runs a real worker and beat with nothing else installed.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or "filesystem://"
_broker_scheme = urlsplit(CELERY_BROKER_URL).scheme
if _broker_scheme not in {"filesystem", "redis", "rediss"}:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be redis://… (or unset for the embedded broker)"
    )
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Half a minute to clean up before the hard limit (less when a test runs with a few seconds).
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(
    30, max(1, CELERY_TASK_TIME_LIMIT // 5)
)
# An outbox message claimed longer ago than this (chamber/outbox.py) belongs to a worker
# that died while sending it, and may be taken again: so it must exceed the task time limit.
DELIVERY_STALE_CLAIM = env_int("DELIVERY_STALE_CLAIM", 15 * 60)
if DELIVERY_STALE_CLAIM <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "DELIVERY_STALE_CLAIM must exceed CELERY_TASK_TIME_LIMIT"
    )
if _broker_scheme == "filesystem":
    CELERY_FS_DIR = Path(os.environ.get("CELERY_FS_DIR", VAR_DIR / "broker"))
    # kombu does not create the folders; in == out so a producer and a worker meet.
    for _sub in ("queue", "processed", "control"):
        (CELERY_FS_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "data_folder_processed": str(CELERY_FS_DIR / "processed"),
        # Exchange tables; kombu's default is ./control in whatever folder it runs from.
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    CELERY_FS_DIR = None
    # A message not acknowledged within the visibility timeout is delivered again,
    # so it must exceed the longest a task may run.
    _visibility = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 4)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        # How often a worker looks for the messages of a dead one: every 10 s at most, so a
        # message comes back soon after its timeout (kombu's default looks every 100 s).
        "unacked_restore_interval": max(1, min(10, _visibility // 10)),
        "unacked_restore_throttle": 1,
    }
    if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
        raise ImproperlyConfigured(
            "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT"
        )
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Email: SMTP when EMAIL_HOST is set, else files in var/mail/ for a newcomer to read.

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "西市区工商联 <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# The address used in links inside e-mails, which have no request to take it from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def env_json(name: str) -> dict:
    """A JSON object from the environment ({} when unset)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object")
    return {str(key): str(item) for key, item in parsed.items()}


# SMS (短信), a channel of the outbox (chamber/channels/sms.py). Tencent Cloud SMS when
# TENCENT_SMS_SECRET_ID is set, else files in var/sms/ for a newcomer to read. The
# provider sends only templates it approved: SMS_TEMPLATE_IDS maps each kind of notice
# to its template's id ({"petition-answered": "1234567", ...}; the texts to register
# are in the README and chamber/channels/forms.py).
TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "").strip()
TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "").strip()
TENCENT_SMS_SDK_APP_ID = os.environ.get("TENCENT_SMS_SDK_APP_ID", "").strip()
# The chamber's name as its paper carries it (reports, 交办单, certificates, posters).
CHAMBER_NAME = os.environ.get("CHAMBER_NAME", "营口市西市区工商联").strip()
TENCENT_SMS_SIGN_NAME = os.environ.get("TENCENT_SMS_SIGN_NAME", "西市区工商联").strip()
TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou").strip()
# The API's host; tests point it at a local fake server (with TENCENT_SMS_SCHEME=http).
TENCENT_SMS_ENDPOINT = os.environ.get(
    "TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com"
).strip()
TENCENT_SMS_SCHEME = os.environ.get("TENCENT_SMS_SCHEME", "https").strip()
SMS_TEMPLATE_IDS = env_json("SMS_TEMPLATE_IDS")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "").strip() or (
    "chamber.channels.sms.TencentBackend"
    if TENCENT_SMS_SECRET_ID
    else "chamber.channels.sms.FileBackend"
)
SMS_DIR = VAR_DIR / "sms"
# At most this many SMS to one number in one Beijing day; the rest go by e-mail.
SMS_DAILY_CAP = env_int("SMS_DAILY_CAP", 10)
# The secret part of the URL Tencent Cloud posts replies to (回T退订): /sms/replies/<token>/.
SMS_REPLY_TOKEN = os.environ.get("SMS_REPLY_TOKEN", "").strip()

# WeChat, a channel of the outbox (chamber/channels/wechat.py): officials and staff
# through a 企业微信 / 政务微信 application (WECOM_*; 政务微信 has its own API host),
# members through the chamber's 服务号 (WECHAT_MP_*). Files in var/wechat/ when unset.
WECOM_CORP_ID = os.environ.get("WECOM_CORP_ID", "").strip()
WECOM_AGENT_ID = os.environ.get("WECOM_AGENT_ID", "").strip()
WECOM_SECRET = os.environ.get("WECOM_SECRET", "").strip()
WECOM_API_BASE = os.environ.get(
    "WECOM_API_BASE", "https://qyapi.weixin.qq.com/cgi-bin/"
).strip()
WECHAT_MP_APP_ID = os.environ.get("WECHAT_MP_APP_ID", "").strip()
WECHAT_MP_SECRET = os.environ.get("WECHAT_MP_SECRET", "").strip()
WECHAT_MP_TOKEN = os.environ.get("WECHAT_MP_TOKEN", "").strip()
WECHAT_MP_AES_KEY = os.environ.get("WECHAT_MP_AES_KEY", "").strip()
WECHAT_MP_API_BASE = os.environ.get(
    "WECHAT_MP_API_BASE", "https://api.weixin.qq.com/cgi-bin/"
).strip()
# Each kind of notice to the 服务号 template approved for it ({"petition-answered": "…"}).
WECHAT_MP_TEMPLATE_IDS = env_json("WECHAT_MP_TEMPLATE_IDS")
WECHAT_BACKEND = os.environ.get("WECHAT_BACKEND", "").strip() or (
    "chamber.channels.wechat.ApiBackend"
    if WECOM_CORP_ID or WECHAT_MP_APP_ID
    else "chamber.channels.wechat.FileBackend"
)
WECHAT_DIR = VAR_DIR / "wechat"

# Security

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading binds the whole domain and its subdomains to HTTPS for good; that is the
# domain owner's decision (README), so its reminder is silenced until they opt in.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script and stylesheet is a vendored file of ours: no inline code, no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Staff and officials confirm their logins with a one-time code (an authenticator app, or
# one of their backup codes). On by default wherever DEBUG is off; `make run` and the
# tests leave it off unless SECOND_FACTOR_REQUIRED=true (its tests switch it on).
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "西市区工商联"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code in a row
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODES = 10
# The largest file a user may upload (chamber.uploads checks it, with the file's content).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1024 * 1024

# Logging: everything to stderr; the process manager keeps it. Messages are escaped
# to one line (user input in them cannot forge lines or colour a terminal), times are
# ISO 8601 with the offset; security events are kept whatever LOG_LEVEL says.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "class": "chamber.security_log.EscapingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "chamber.security": {"level": "INFO"},
    },
}
