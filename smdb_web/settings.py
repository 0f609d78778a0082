"""Settings for smdb-web, read from the environment.

With no variables set this is the embedded default for development: SQLite in
``var/``, Celery in eager mode on an in-memory broker, the local SMDB
simulator as endpoint, DEBUG on. Production sets DEBUG=false, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and SMDB_ENDPOINT.
"""

import os
import sys
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

# Rotating SECRET_KEY: the old one goes here (comma-separated). Sessions and
# password-reset links made with it need it until they run out; two-factor recovery
# codes made before the rotation (accounts.two_factor) need it until their users have
# made new ones.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # The admin admits active superusers only (accounts.admin_site).
    "accounts.admin_site.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "smdb",
    "smdb_simulator",
    "certificates",
    "cases",
    "reporting",
    "systemskifte",
]

MIDDLEWARE = [
    # GET /healthz for probes, before sessions, sign-in, host check and HTTPS redirect.
    "smdb_web.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Issue 15: a NUL byte in a query parameter or posted field is a 400.
    "smdb_web.input_guard.AfvisNulTegnMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.SessionLimitsMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "cases.middleware.RefusedRequestsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "smdb_web.fejlsider.DanskeFejlsiderMiddleware",
]
# smdb_web.fejlsider: with DEBUG on, our Danish 404 and 500 pages instead of Django's
# English technical ones, unless a developer asks for those.
DEBUG_TEKNISKE_FEJLSIDER = env_bool("DEBUG_TEKNISKE_FEJLSIDER", False)

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
                "certificates.context_processors.smdb_miljoe",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'smdb-web.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A kept connection is checked before each request reuses it (a restarted
        # PostgreSQL costs one reconnect, not an error page).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A live server thread and the Celery worker write concurrently in tests.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Issue 12's report pages, measured at 100,000 forløb (benchmarks/test_bench_reports.py):
    # - JIT: the report counts were costed high enough to compile, which took 5 of a
    #   page's 6 s; it never paid here.
    # - random_page_cost 1.1 (PostgreSQL's advice for SSDs and a cached working set,
    #   instead of 4, a spinning disk's): with 4, a list page deep into the myndighed's
    #   open forløb (OVERBLIK page 100) sorted every row (22 ms) instead of reading the
    #   (myndighed, anmodningsdato) index in order (6 ms).
    # PGOPTIONS-style; set DATABASE_OPTIONS to replace both.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", os.environ.get("DATABASE_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    )
    # A database host that does not answer fails a request (and /healthz) in seconds,
    # not after the operating system's TCP timeout of minutes.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.BrugerBackend",
    # Single sign-on per myndighed (issue 26); only the SSO callback reaches it.
    "accounts.oidc.OidcBackend",
]
# mozilla-django-oidc: the settings that are the same for every provider (each
# myndighed's provider, client and scopes are rows: accounts.OidcKonfiguration).
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_TIMEOUT = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # The breached/common-password check, offline: Django's list of the 20,000
    # most common passwords from breaches (the app runs without internet access).
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor login (django-otp) for administrators and ledere (accounts.two_factor).
# OTP_REQUIRED=false is for development only: a system check refuses it when DEBUG is off.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
OTP_TOTP_ISSUER = "smdb-web"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # accounts.admin shows no key in any case
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account+IP after repeated failed logins. The combination, so a
# stranger elsewhere cannot lock someone out; the client's address as our proxy
# forwards it (accounts.klient_ip: X-Forwarded-For trusted only from TRUSTED_PROXIES,
# the proxy's addresses or networks, e.g. docker-compose's network for Caddy).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.klient_ip.klient_ip"
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
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
# Eager mode has no worker: long jobs (systemskifte, afstemning) run in a thread of the
# serving process instead of inside the request that started them. Tests run them inline.
LOKALE_JOB_I_BAGGRUNDEN = env_bool("LOKALE_JOB_I_BAGGRUNDEN", True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
# A broker outage costs a caseworker nothing visible (issue 24): a submit's enqueue gives
# up at once when Redis does not answer (bounded connect and socket timeouts, no publish
# retry); the operation is already committed in the outbox, and the beat sweep queues it
# when the broker is back (smdb.outbox.enqueue marks it due for that sweep).
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "0.5"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5,
    # A publisher's connection is tried once (kombu retried for the whole connect
    # timeout). The worker's and beat's own reconnect loops are not affected: they
    # retry until the broker answers.
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
# Workers keep Django's LOGGING (and so the CPR mask) instead of Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # Re-queue SMDB outbox operations stuck in sending or due for a retry (smdb.sync.sweep).
    "smdb-outbox-sweep": {"task": "smdb.tasks.sweep_outbox", "schedule": 60.0},
    # Retention (issue 9): expired sessions, confirmed outbox payloads, old drafts.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60.0 * 60,
    },
    "rens-outbox": {"task": "smdb.tasks.rens_outbox", "schedule": 60.0 * 60},
    "slet-gamle-kladder": {"task": "cases.tasks.slet_gamle_kladder", "schedule": 60.0 * 60},
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
# An unfinished afstemning without a heartbeat this long has lost its process (or its task):
# "Afstem nu" starts a new one. Above SMDB's slowest single call (the active list).
AFSTEMNING_STALE_AFTER = float(os.environ.get("AFSTEMNING_STALE_AFTER", "300"))
CELERY_BEAT_SCHEDULE["smdb-afstemning"] = {  # nightly comparison with SMDB's active forløb
    "task": "systemskifte.tasks.afstem_alle",
    "schedule": crontab(hour=2, minute=30),
}

# --- SMDB web service ---------------------------------------------------------


def _runserver_url() -> str | None:
    """Where ``manage.py runserver [addr:]port`` serves (None for other commands)."""
    if len(sys.argv) < 2 or sys.argv[1] != "runserver":
        return None
    addrport = next((a for a in sys.argv[2:] if not a.startswith("-")), "")
    host, _, port = addrport.rpartition(":") if ":" in addrport else ("", "", addrport)
    if host in ("", "0", "0.0.0.0", "[::]"):  # every address: the simulator is on loopback
        host = "127.0.0.1"
    return f"http://{host}:{port or '8000'}"


# Where this app serves its embedded SMDB simulator: SMDB_EMBEDDED_URL, else the
# address runserver was given, else 127.0.0.1 and PORT (``make run PORT=8301``), so
# that serving on another port does not leave every send failing (issue 23).
SMDB_EMBEDDED_URL = (
    os.environ.get("SMDB_EMBEDDED_URL")
    or _runserver_url()
    or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
).rstrip("/")
# Base URL of DST's services, up to and including ".../api/external/v1/".
# Default: the local SMDB simulator served by this app.
SMDB_ENDPOINT = os.environ.get(
    "SMDB_ENDPOINT", f"{SMDB_EMBEDDED_URL}/smdbwebservice/api/external/v1/"
)
# Seconds one call to SMDB may take in all (connect, send, the whole reply), and
# the largest reply read (bytes, decompressed); smdb.client holds both (issue 21).
SMDB_TIMEOUT = float(os.environ.get("SMDB_TIMEOUT", "15"))
SMDB_MAX_SVAR_BYTES = int(os.environ.get("SMDB_MAX_SVAR_BYTES", str(20_000_000)))
# The embedded simulator is a development tool: with DEBUG off it is never on and its
# URLs are not even routed (smdb_web/urls.py), whatever the environment says (issue 9).
SMDB_SIMULATOR_ENABLED = DEBUG and env_bool("SMDB_SIMULATOR_ENABLED", True)
SMDB_SIMULATOR_ROUTED = SMDB_SIMULATOR_ENABLED
# Fault injection for the simulator: "", "unavailable", "slow", "fail" or "lost"
# (carried out, but the answer is lost).
SMDB_SIMULATOR_FAULT = os.environ.get("SMDB_SIMULATOR_FAULT", "")
SMDB_SIMULATOR_FAIL_RATE = float(os.environ.get("SMDB_SIMULATOR_FAIL_RATE", "0"))
SMDB_SIMULATOR_DELAY = float(os.environ.get("SMDB_SIMULATOR_DELAY", "0"))
# The outbox (smdb.sync): backoff base/cap in seconds, attempts before giving up.
SMDB_SYNC_RETRY_BASE = float(os.environ.get("SMDB_SYNC_RETRY_BASE", "30"))
SMDB_SYNC_RETRY_MAX = float(os.environ.get("SMDB_SYNC_RETRY_MAX", "3600"))
SMDB_SYNC_MAX_ATTEMPTS = int(os.environ.get("SMDB_SYNC_MAX_ATTEMPTS", "20"))
# A worker's claim on an operation is a lease of this many seconds, renewed before a
# send once a third of it has passed; any live worker takes over an expired one (at
# its start, on each batch, and the beat sweep). Keep it above 1.5 x SMDB_TIMEOUT
# (a third of a lease plus one send pass between renewals).
SMDB_SYNC_LEASE = float(os.environ.get("SMDB_SYNC_LEASE", "30"))
SMDB_SYNC_WAITING_AFTER = float(os.environ.get("SMDB_SYNC_WAITING_AFTER", "60"))
# One send task drains up to this many forløb heads per claim, within its time budget.
SMDB_SYNC_BATCH = int(os.environ.get("SMDB_SYNC_BATCH", "25"))
SMDB_SYNC_TASK_BUDGET = float(os.environ.get("SMDB_SYNC_TASK_BUDGET", "30"))

# --- E-mail: set-password links from user administration (issue 9) ----------
# Always sent by e-mail, never shown on screen. Development prints them to the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "smdb-web <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
# The access log keeps a keyed hash (HMAC) of each citizen's CPR, never the number
# (audit.services.cpr_noegle). Give it a key of its own in production: rotating
# SECRET_KEY must not cut the log off from the citizens it is about.
AUDIT_CPR_KEY = os.environ.get("AUDIT_CPR_KEY") or SECRET_KEY

# Retention (issue 9): days a confirmed outbox payload keeps its CPR and answers,
# and days an untouched draft (kladde) is kept.
SMDB_OUTBOX_RETENTION_DAYS = int(os.environ.get("SMDB_OUTBOX_RETENTION_DAYS", "30"))
KLADDE_RETENTION_DAYS = int(os.environ.get("KLADDE_RETENTION_DAYS", "30"))

# Field-level encryption key for stored private keys (certificates). Without one, and
# only with DEBUG on, a development key is made and kept in this file (with a warning);
# with DEBUG off the variable is required (certificates.checks).
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_ENCRYPTION_DEV_KEY_FILE = VAR_DIR / "field-encryption-dev.key"

# --- Function certificates, SMDB environments, authentication (issue 13) -------
# The STS token is fetched anew this many seconds before it expires.
SMDB_STS_TOKEN_MARGIN = float(os.environ.get("SMDB_STS_TOKEN_MARGIN", "60"))
# The simulator's authentication check: "none", "signature" or "sts", and the PEM
# files of the certificates it trusts (comma-separated); run_smdb_simulator
# --auth/--trust set them too.
SMDB_SIMULATOR_AUTH = os.environ.get("SMDB_SIMULATOR_AUTH", "none")
SMDB_SIMULATOR_TRUST = env_list("SMDB_SIMULATOR_TRUST", "")
# Lifetime in seconds of the tokens the simulator's STS issues.
SMDB_SIMULATOR_STS_LIFETIME = float(os.environ.get("SMDB_SIMULATOR_STS_LIFETIME", "3600"))
# Message journal: days a SOAP call is kept before the beat job deletes it.
SMDB_JOURNAL_RETENTION_DAYS = int(os.environ.get("SMDB_JOURNAL_RETENTION_DAYS", "90"))
# E-mail (expiry warnings) uses the EMAIL_* settings above.
CELERY_BEAT_SCHEDULE["certifikat-udloeb"] = {
    "task": "certificates.tasks.advar_om_udloeb",
    "schedule": 6 * 60 * 60.0,
}
CELERY_BEAT_SCHEDULE["smdb-journal-oprydning"] = {
    "task": "certificates.tasks.ryd_journal",
    "schedule": 24 * 60 * 60.0,
}

# --- Logging: never log CPR numbers; see accounts.log_filters. ----------------
# LOGGING_CONFIG installs a record factory that masks every record's message,
# traceback and stack before any handler sees it; each handler below also masks
# its finished line. Django's own loggers ("django", "django.server") are named
# here so that neither keeps Django's default handlers.
LOGGING_CONFIG = "accounts.log_filters.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "accounts.log_filters.MaskCprFilter"}},
    "formatters": {
        "masked": {
            "()": "accounts.log_filters.MaskCprFormatter",
            "format": "{levelname} {name}: {message}",
            "style": "{",
        },
        "django.server": {
            "()": "accounts.log_filters.MaskCprServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "accounts.log_filters.StderrHandler",
            "filters": ["mask_cpr"],
            "formatter": "masked",
        },
        "django.server": {
            "class": "accounts.log_filters.StderrHandler",
            "filters": ["mask_cpr"],
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Drops Django's default handlers (an unmasked console, mail_admins); its
        # records go to root's console.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # In eager mode every task would print a "succeeded" line into runserver's log.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# Error reports (the DEBUG page, error mails) hide passwords, keys and CPR numbers
# wherever they are, on top of each view's sensitive_post_parameters (issue 23).
DEFAULT_EXCEPTION_REPORTER_FILTER = "accounts.error_reports.SkjulFortroligt"
DEFAULT_EXCEPTION_REPORTER = "accounts.error_reports.MaskeretRapport"

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
# Sessions (accounts.sessions): 30 minutes idle (a request moves the expiry on;
# the session is saved again at most once a minute), 8 hours at most from login,
# and ended when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_AGE = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(8 * 60 * 60)))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Trust X-Forwarded-Proto only behind our own TLS-terminating proxy (docker-compose's
# Caddy sets it and drops whatever a client sent); without one, a client could claim
# HTTPS over plain HTTP.
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Reports (issue 12): an open forløb with no change for this many months is "glemt".
REPORTING_GLEMTE_MAANEDER = int(os.environ.get("REPORTING_GLEMTE_MAANEDER", "6"))
