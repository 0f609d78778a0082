"""Settings for smdb-web, read from the environment.

With no variables set this is the embedded default for development: SQLite in
``var/``, Celery in eager mode on an in-memory broker, the local SMDB
simulator as endpoint, DEBUG on. Production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and SMDB_ENDPOINT.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SMDB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY skal sættes når DEBUG er slået fra.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "formtools",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "axes",
    "accounts",
    "audit",
    "smdb",
    "smdb.simulator",
    "cases",
    "reporting",
    "systemskifte",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smdb_web.urls"
WSGI_APPLICATION = "smdb_web.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'smdb-web.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A live server thread and the Celery worker write concurrently in tests.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account+IP after repeated failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False  # no banner on every manage.py command

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk")]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# --- Celery --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
# Workers keep Django's LOGGING (and so the CPR mask) instead of Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # Re-queue SMDB outbox operations stuck in sending or due for a retry (smdb.sync.sweep).
    "smdb-outbox-sweep": {"task": "smdb.tasks.sweep_outbox", "schedule": 60.0},
}
# --- Systemskifte and afstemning with SMDB (issue 14) ---
# A job task works this many seconds, then queues itself again (under the soft time limit).
SYSTEMSKIFTE_BUDGET = float(os.environ.get("SYSTEMSKIFTE_BUDGET", "40"))
# A running job untouched this long is queued again by the beat sweeper.
SYSTEMSKIFTE_STALE_AFTER = float(os.environ.get("SYSTEMSKIFTE_STALE_AFTER", "120"))
# SMDB calls at a time while the job fetches each forløb by Id.
SYSTEMSKIFTE_HENT_TRAADE = int(os.environ.get("SYSTEMSKIFTE_HENT_TRAADE", "4"))
CELERY_BEAT_SCHEDULE["systemskifte-genoptag"] = {
    "task": "systemskifte.tasks.genoptag_haengende",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["smdb-afstemning"] = {  # nightly comparison with SMDB's active forløb
    "task": "systemskifte.tasks.afstem_alle",
    "schedule": crontab(hour=2, minute=30),
}

# --- SMDB web service ---------------------------------------------------------
# Base URL of DST's services, up to and including ".../api/external/v1/".
# Default: the local SMDB simulator served by this app.
SMDB_ENDPOINT = os.environ.get(
    "SMDB_ENDPOINT", "http://127.0.0.1:8000/smdbwebservice/api/external/v1/"
)
SMDB_TIMEOUT = float(os.environ.get("SMDB_TIMEOUT", "15"))
SMDB_SIMULATOR_ENABLED = env_bool("SMDB_SIMULATOR_ENABLED", DEBUG)
# Fault injection for the simulator: "", "unavailable", "slow", "fail" or "lost"
# (carried out, but the answer is lost).
SMDB_SIMULATOR_FAULT = os.environ.get("SMDB_SIMULATOR_FAULT", "")
SMDB_SIMULATOR_FAIL_RATE = float(os.environ.get("SMDB_SIMULATOR_FAIL_RATE", "0"))
SMDB_SIMULATOR_DELAY = float(os.environ.get("SMDB_SIMULATOR_DELAY", "0"))
# The outbox (smdb.sync): backoff base/cap in seconds, attempts before giving up,
# and after how long a claimed ("sender") operation counts as abandoned.
SMDB_SYNC_RETRY_BASE = float(os.environ.get("SMDB_SYNC_RETRY_BASE", "30"))
SMDB_SYNC_RETRY_MAX = float(os.environ.get("SMDB_SYNC_RETRY_MAX", "3600"))
SMDB_SYNC_MAX_ATTEMPTS = int(os.environ.get("SMDB_SYNC_MAX_ATTEMPTS", "20"))
SMDB_SYNC_STALE_AFTER = float(os.environ.get("SMDB_SYNC_STALE_AFTER", "300"))
SMDB_SYNC_WAITING_AFTER = float(os.environ.get("SMDB_SYNC_WAITING_AFTER", "60"))
# One send task drains up to this many forløb heads per claim, within its time budget.
SMDB_SYNC_BATCH = int(os.environ.get("SMDB_SYNC_BATCH", "25"))
SMDB_SYNC_TASK_BUDGET = float(os.environ.get("SMDB_SYNC_TASK_BUDGET", "30"))

# Field-level encryption key for stored private keys (certificates).
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

# --- Logging: never log CPR numbers; see accounts.logging. ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "accounts.log_filters.MaskCprFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # In eager mode every task would print a "succeeded" line into runserver's log.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# Content-Security-Policy (django-csp): no inline scripts or styles anywhere; the
# front-end files are vendored into static/. Bootstrap's CSS embeds icons as data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Production hardening (manage.py check --deploy passes with DEBUG off) ----
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
