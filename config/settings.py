"""shebao settings: one module, every deployment difference read from the environment.

See docs/configuration.md for the variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SHEBAO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "shebao.core",
    "shebao.rules",
    "shebao.registry",
    "shebao.services",
    "shebao.contributions",
    "shebao.accounts",
    "shebao.benefits",
    "shebao.hall",
    "shebao.documents",
    "shebao.portal",
    "shebao.migration",
    "shebao.reports",
    "shebao.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sends staff who need a second factor and have not entered it to the code page. It reads
    # the verification django-otp stored in the session (django-otp's own middleware, which
    # loads the device on every request, is not needed).
    "shebao.core.twofactor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "shebao.core.middleware.PermissionsPolicyMiddleware",
    "shebao.core.middleware.ClientContextMiddleware",
    # The API's errors in one JSON shape, and its POSTs' idempotency keys (shebao.api).
    "shebao.api.errors.ApiErrorMiddleware",
    "shebao.api.idempotency.IdempotencyMiddleware",
    # django-axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shebao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shebao.core.context_processors.staff_context",
                "shebao.portal.context_processors.portal_context",
                "shebao.migration.context_processors.migration_menu",
                "shebao.reports.context_processors.statistics_menu",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
_default_sqlite = f"sqlite:///{VAR_DIR / 'shebao.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_sqlite,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing
        # with "database is locked" when one upgrades a read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id for every new or changed password; the PBKDF2 hashes stored before still verify and
# are rehashed with Argon2 at the next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shebao.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout after repeated failures (django-axes): the account is locked, whichever window
# the attempts come from; halls share one outgoing address, so locking by IP would lock a hall.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# axes.W006 asks to lock by IP address too; deliberately not: a service hall's windows share one
# outgoing address, and one mistyped password too many would lock the whole hall out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor sign-in (TOTP, RFC 6238): staff holding any of these roles, and superusers, enter
# a code from an authenticator app after their password before any staff page or the staff
# API answers. Bearer-token API access (systems) is not asked for a code.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "reviewer,fund_officer,admin")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "shebao")
# After n wrong codes in a row the next attempt waits 2^(n-1) times this many seconds.
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1, minimum=1)

# Session idle timeout: the session expires this many seconds after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Behind HTTPS in production: HTTPS=1 turns on secure cookies, HSTS and the redirect.
HTTPS = env_bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page uses are switched off (PermissionsPolicyMiddleware in shebao.core).
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "hid=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), "
    "browsing-topics=()",
)

# Content Security Policy (django-csp): scripts and style sheets only from this site, the few
# inline blocks carry the per-response nonce (request.csp_nonce); no plug-ins, no framing.
_csp_directives: dict[str, list[Any]] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    # Style attributes stay allowed, and only they: about thirty templates size elements with
    # style="max-width: ..." and the progress bars are drawn as style="width: NN%", which a
    # nonce cannot cover. An attribute can neither run script nor load from another origin
    # (img-src and font-src still apply), so <style> elements keep needing the nonce.
    "style-src-attr": [UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
    "base-uri": [SELF],
    "object-src": [NONE],
}
if env_str("CSP_REPORT_URI"):
    _csp_directives["report-uri"] = [env_str("CSP_REPORT_URI")]
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only: the browser
# reports what it would block and blocks nothing (for trying a change to the policy).
if env_bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}
# Number of trusted reverse proxies in front of the app: the client IP is taken that many
# hops from the right of X-Forwarded-For (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Audit entries are kept this many days (default three years; never fewer than 183, six
# months), then removed by `manage.py audit_prune`.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 1095, minimum=183)
# An audit-log Excel export holds at most this many entries; narrow the filters beyond it.
AUDIT_EXPORT_MAX_ROWS = env_int("AUDIT_EXPORT_MAX_ROWS", 100_000, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shebao" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "shebao" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Case attachments (scanned materials): PDF, JPEG or PNG up to this size.
CASE_ATTACHMENT_MAX_BYTES = env_int("CASE_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024

# The REST API (docs/api.md): requests per minute per token (a token may carry its own limit),
# per staff session and per anonymous address; 0 means unlimited. How long an idempotency key
# keeps its first result.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600, minimum=0)
API_SESSION_RATE_LIMIT_PER_MINUTE = env_int("API_SESSION_RATE_LIMIT_PER_MINUTE", 300, minimum=0)
API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = env_int("API_ANONYMOUS_RATE_LIMIT_PER_MINUTE", 60, minimum=0)
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24, minimum=1)

# The cache counts the API's rate limits (and django-otp's throttles): with several processes
# it must be shared, e.g. CACHE_URL=redis://127.0.0.1:6379/1; the default is per process.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background and batch work: Celery when a broker is configured, in-process otherwise.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# The portal and the kiosks. SMS_BACKEND: "console" (prints messages: development and the
# demo), "memory" (tests) or the dotted path of a gateway class with send(message).
SMS_BACKEND = env_str("SMS_BACKEND", "console")
PORTAL_CODE_TTL_SECONDS = env_int("PORTAL_CODE_TTL_SECONDS", 300, minimum=60)
PORTAL_CODE_MAX_ATTEMPTS = env_int("PORTAL_CODE_MAX_ATTEMPTS", 5, minimum=1)
PORTAL_CODE_RESEND_SECONDS = env_int("PORTAL_CODE_RESEND_SECONDS", 60, minimum=0)
PORTAL_CODES_PER_DAY = env_int("PORTAL_CODES_PER_DAY", 10, minimum=1)
# The hall's estimated wait uses this service time until the day has finished a few tickets.
HALL_DEFAULT_SERVICE_MINUTES = env_int("HALL_DEFAULT_SERVICE_MINUTES", 8, minimum=1)
# A kiosk signs its visitor out after this many seconds without a touch.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 60, minimum=5)

# Shown in the page header; another province is configuration, not code.
SHEBAO_PROVINCE_NAME = env_str("SHEBAO_PROVINCE_NAME", "湖北省")
SHEBAO_SITE_TITLE = _("Enterprise Employee Social Insurance")

# Printed in every document's QR code and verification address: the public origin of the site.
SHEBAO_PUBLIC_URL = env_str("SHEBAO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
