"""Innspill settings: one file, driven by environment variables.

Defaults make a fresh checkout run on SQLite with debug on. Every variable is read
through a small typed helper that fails at start with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def _env_number[N: (int, float)](name: str, default: N, parse: type[N], what: str) -> N:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not {what}.") from None


def env_int(name: str, default: int, minimum: int = 0) -> int:
    number = _env_number(name, default, int, "a whole number")
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={os.environ.get(name)!r} must be at least {minimum}.")
    return number


def env_float(name: str, default: float) -> float:
    number = _env_number(name, default, float, "a number")
    if number <= 0:
        raise ImproperlyConfigured(f"{name}={os.environ.get(name)!r} must be more than 0.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_rate_limit(name: str, value: str) -> tuple[tuple[int, int], ...]:
    """Parse "5/m,30/d" into ((5, 60), (30, 86400)); "off" into ()."""
    if value.strip().lower() == "off":
        return ()
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    limits = []
    for part in value.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*/\s*([smhd])\s*", part)
        if not match or int(match.group(1)) < 1:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a rate limit: write e.g. '5/m,30/d' "
                "(count per s, m, h or d, comma-separated) or 'off'."
            )
        limits.append((int(match.group(1)), seconds[match.group(2)]))
    return tuple(limits)


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(a long random string, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "django-insecure-local-development-only-" + "x" * 20

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off "
        "(comma-separated host names, e.g. 'innspill.example.no')."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "guide",
    "comments",
    "archive",
    "subscriptions",
    "publishing",
    "public",
]
if DEBUG:
    INSTALLED_APPS.append("devtools")  # `manage.py benchmark`; not in the production image

MIDDLEWARE = [
    # First, so its headers go on every answer, even those middleware below gives early.
    "config.headers.PermissionsPolicyMiddleware",
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.unavailable.DatabaseUnavailableMiddleware",
    "core.cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: answers writes to the read-only API with its JSON 405.
    "public.api.ReadOnlyApiMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns locked-out logins into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one client address lock that combination
# out for an hour. Only the combination: a lock on the username alone would let a
# stranger anywhere lock an editor out, and one on the address alone would let anyone
# behind the same address (an office, a mobile carrier's shared address) do it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.client.axes_client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in the project folder. SQLite runs in WAL
# mode with immediate transactions so concurrent comment writes queue instead of
# failing with "database is locked".
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (per thread) as on PostgreSQL: opening one costs more than
    # most pages (the file, the pragmas, the search index's function).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("DATABASE_TEST_NAME") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "innspill",
            # A Redis that hangs must cost a fraction of a second, not the default 5 s.
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_TIMEOUT", 0.25),
                "socket_timeout": env_float("REDIS_TIMEOUT", 0.25),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "innspill",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: bokmål by default, nynorsk and English on request. The choice
# lives in a cookie; URLs never change with the language.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in forms as dd.mm.yyyy (Django's nb and nn formats put ISO dates first).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE: Final = "Lax"
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
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
WHITENOISE_MAX_AGE = 3600

# E-mail (Django 6.1 mailers). Development prints mail to the console; production
# sends through SMTP configured by the EMAIL_* variables.
EMAIL_BACKEND_NAME = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS: dict[str, dict[str, object]] = {"default": {"BACKEND": EMAIL_BACKEND_NAME}}
if EMAIL_BACKEND_NAME.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Innspill <ikke-svar@innspill.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The site's public address, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")

# Who runs the site: shown in the footer and the privacy and accessibility statements.
SITE_OWNER = env_str("SITE_OWNER", "Difi – Direktoratet for forvaltning og IKT")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "postmottak@difi.no")

# Receipts: anyone can give any address, so one address gets at most this many receipts
# in 24 hours, however many comments name it.
RECEIPTS_PER_ADDRESS_PER_DAY = env_int("RECEIPTS_PER_ADDRESS_PER_DAY", 3, minimum=1)

# How long personal data is kept (`manage.py purge_personal_data`, run daily, deletes it
# after this; the privacy page quotes these numbers). Client-address hashes on comments
# and reports, in days; e-mail addresses, in months after the comment's outcome was set
# (or after it was received, for a comment that never gets one); django-axes' records of
# login attempts (username, address, browser), in days.
RETAIN_CLIENT_HASH_DAYS = env_int("RETAIN_CLIENT_HASH_DAYS", 30, minimum=1)
RETAIN_EMAIL_MONTHS = env_int("RETAIN_EMAIL_MONTHS", 12, minimum=1)
RETAIN_LOGIN_RECORDS_DAYS = env_int("RETAIN_LOGIN_RECORDS_DAYS", 30, minimum=1)

# A trivial view at /_bench/ping, through the full middleware: the ceiling `make bench`
# compares every page with. Off unless a benchmark turns it on.
BENCHMARK_ENDPOINTS = env_bool("INNSPILL_BENCHMARK", False)

# Whole public pages cached by the database-held content versions (core/cache.py).
# Off: every page rendered per request, for benchmarks and debugging.
PAGE_CACHE = env_bool("INNSPILL_PAGE_CACHE", True)

COMMENT_RATE_LIMIT = parse_rate_limit(
    "COMMENT_RATE_LIMIT", env_str("COMMENT_RATE_LIMIT", "5/m,30/d")
)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Receipts and notifications are sent by a background thread, after the commit, so no
# answer waits on the mail server (core/outbox.py). The tests send at once.
SEND_MAIL_IN_BACKGROUND = True
# Anti-spam: a comment form sent sooner than this after it was shown is refused.
COMMENT_MIN_SECONDS = env_int("COMMENT_MIN_SECONDS", 3)

# markdownx: its preview runs our sanitising renderer; uploads are raster images only.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "core.markdown.render"
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_MEDIA_PATH = "guide/"

# Sessions only for staff: anonymous readers never get one.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"warning_without_traceback": {"()": "config.log.WarningWithoutTraceback"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A request for a host name we do not serve is the client's mistake (or a
        # scanner's): a warning, not an error with a traceback.
        "django.security.DisallowedHost": {"filters": ["warning_without_traceback"]},
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
