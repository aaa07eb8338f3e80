"""ProCX settings.

Everything that differs between a laptop and production comes from the environment and
has a working laptop default (SQLite file, ORM broker, offline agents). A bad value stops
start-up with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from procx_site.languages import OUTREACH_LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "procx-development-key-not-for-production"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum:g} and {maximum:g}, not {value:g}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key and DEBUG is off: set SECRET_KEY to a long random value"
    )
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is empty")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "template_partials",
    "django_q",
    "customers",
    "events",
    "interventions",
    "staff",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "procx_site.urls"

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

WSGI_APPLICATION = "procx_site.wsgi.application"
ASGI_APPLICATION = "procx_site.asgi.application"

# --- Database -------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60)
except Exception as error:  # dj-database-url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL ({error})") from error
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # WAL lets the web app read while the worker writes; IMMEDIATE takes the write
        # lock up front so concurrent writers wait (timeout) instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue (django-q2) -----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
Q_CLUSTER: dict[str, object] = {
    "name": "procx",
    "workers": env_int("PROCX_WORKERS", 2, minimum=1),
    "timeout": 600,
    "retry": 720,
    "max_attempts": 1,
    "catch_up": False,
    "label": "Task queue",
}
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}")
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- The proactive scan ----------------------------------------------------------------
PROCX_SCAN_INTERVAL_MINUTES = env_int("PROCX_SCAN_INTERVAL_MINUTES", 5, minimum=1)
PROCX_SCAN_MIN_RISK = env_float("PROCX_SCAN_MIN_RISK", 0.60, minimum=0, maximum=1)
PROCX_SCAN_MIN_LTV = env_float("PROCX_SCAN_MIN_LTV", 1000.0, minimum=0, maximum=1e12)
# Snapshots of every scan are kept a day, then one scan a day, for this many days.
PROCX_SCAN_HISTORY_DAYS = env_int("PROCX_SCAN_HISTORY_DAYS", 365, minimum=1)
# The scan retrains the churn model when none exists or the latest is older than this.
PROCX_CHURN_MODEL_MAX_AGE_DAYS = env_int("PROCX_CHURN_MODEL_MAX_AGE_DAYS", 7, minimum=1)
# The churn model predicts churn within this many days: it learns from each churner as they were
# this long before their churn date (and from retained customers at matching moments).
PROCX_CHURN_HORIZON_DAYS = env_int("PROCX_CHURN_HORIZON_DAYS", 60, minimum=1)

# --- The agent pipeline ----------------------------------------------------------------
# How many findings staff can work per scan: the pipeline drafts outreach for this many of the top
# findings, and the churn model is measured at this share of the customer base.
# PROCX_PIPELINE_TOP_N is its older name, read when the new one is unset.
PROCX_OUTREACH_CAPACITY = env_int("PROCX_OUTREACH_CAPACITY", env_int("PROCX_PIPELINE_TOP_N", 10, minimum=0), minimum=0)
# No new outreach to a customer sent one within this many days, unless the case is critical.
PROCX_OUTREACH_COOLDOWN_DAYS = env_int("PROCX_OUTREACH_COOLDOWN_DAYS", 7, minimum=0)


def env_offer_caps(name: str, default: str) -> dict[str, int]:
    """Read "VIP=20,Loyal=15" as {"VIP": 20, "Loyal": 15}: the largest discount, in percent, per segment."""
    raw = os.environ.get(name, default)
    caps: dict[str, int] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        segment, separator, value = item.partition("=")
        try:
            percent = int(value.strip()) if separator else -1
        except ValueError:
            percent = -1
        if not segment.strip() or not 0 <= percent <= 100:
            raise ImproperlyConfigured(
                f"{name} must list segment=percent pairs with percents from 0 to 100, e.g. VIP=20,Loyal=15; "
                f"{item.strip()!r} is not one"
            )
        caps[segment.strip()] = percent
    return caps


# A segment not listed gets no offer at all.
PROCX_OFFER_CAPS = env_offer_caps("PROCX_OFFER_CAPS", "VIP=20,Loyal=15,Regular=10,Occasional=10")

# An OpenAI model (or any OpenAI-compatible server through OPENAI_BASE_URL) writes the
# decisions and messages when a key or a base URL is set; otherwise the offline backend does.
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "").strip()
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "").strip()
if OPENAI_BASE_URL and not OPENAI_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"OPENAI_BASE_URL must start with http:// or https://, not {OPENAI_BASE_URL!r}")
PROCX_OPENAI_MODEL = os.environ.get("PROCX_OPENAI_MODEL", "gpt-4o-mini").strip() or "gpt-4o-mini"
PROCX_OPENAI_TIMEOUT_SECONDS = env_float("PROCX_OPENAI_TIMEOUT_SECONDS", 30.0, minimum=1, maximum=600)
PROCX_OPENAI_MAX_RETRIES = env_int("PROCX_OPENAI_MAX_RETRIES", 2, minimum=0)

# --- Webhooks ------------------------------------------------------------------------------
# Each a comma-separated list: every secret listed is accepted, so a secret can be rotated
# without dropping deliveries. A source with no secret rejects every delivery (401).
PROCX_WEBHOOK_SECRETS: dict[str, list[str]] = {
    "procx": env_list("PROCX_WEBHOOK_SECRET", ""),
    "stripe": env_list("PROCX_STRIPE_WEBHOOK_SECRET", ""),
    "shopify": env_list("PROCX_SHOPIFY_WEBHOOK_SECRET", ""),
    "zendesk": env_list("PROCX_ZENDESK_WEBHOOK_SECRET", ""),
    "qualtrics": env_list("PROCX_QUALTRICS_WEBHOOK_SECRET", ""),
}
for _secret in PROCX_WEBHOOK_SECRETS["procx"]:
    try:
        base64.b64decode(_secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        raise ImproperlyConfigured(
            "PROCX_WEBHOOK_SECRET must list Standard Webhooks secrets, whsec_ followed by base64; one is not"
        ) from None
# For local demos only: accept deliveries whose signature does not verify (logged as unsigned).
PROCX_WEBHOOKS_ALLOW_UNSIGNED = env_bool("PROCX_WEBHOOKS_ALLOW_UNSIGNED", False)
if PROCX_WEBHOOKS_ALLOW_UNSIGNED and not DEBUG:
    raise ImproperlyConfigured("PROCX_WEBHOOKS_ALLOW_UNSIGNED is for local demos: it cannot be on when DEBUG is off")

# Webhook events stored within this many seconds by one web process are processed (applied,
# re-scored) by one worker task rather than one task each: at a burst of deliveries the queue
# gets one row a second, not one per delivery. 0 queues a task for every delivery.
PROCX_EVENT_BATCH_SECONDS = env_float("PROCX_EVENT_BATCH_SECONDS", 1.0, minimum=0, maximum=60)
# Days the webhook delivery log keeps a delivery (the inbox keeps its entries until handled).
PROCX_WEBHOOK_LOG_DAYS = env_int("PROCX_WEBHOOK_LOG_DAYS", 30, minimum=1)

# --- Auth, i18n, static ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Sending outreach ------------------------------------------------------------------
# Email: the console (printed by the web process) unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "ProCX Customer Care <care@procx.local>"
# SMS and calls: a class with `name` and `send(message) -> reference`; the default records the
# message in the outbox on the intervention page, for staff to text or call from.
PROCX_SMS_BACKEND = os.environ.get("PROCX_SMS_BACKEND", "").strip() or "interventions.sending.OutboxBackend"
PROCX_CALL_BACKEND = os.environ.get("PROCX_CALL_BACKEND", "").strip() or "interventions.sending.OutboxBackend"

# Staff pages are in English: there is no LocaleMiddleware, so every request renders in
# LANGUAGE_CODE. LANGUAGES are the languages outreach is written in (the one list is
# procx_site.languages, which interventions.language reads too); each has a gettext catalog in locale/, rendered under
# translation.override(code) by interventions.agents.templates.
LANGUAGE_CODE = "en-us"
LANGUAGES = list(OUTREACH_LANGUAGES)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static_root"

# Uploaded workbooks can be large; the admin upload streams them to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ProCX webhook API",
    "DESCRIPTION": "Signed deliveries from ProCX's own envelope, Stripe, Shopify, Zendesk and Qualtrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
