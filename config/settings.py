"""Probono settings: one file, every deploy-specific value read from the environment.

See README.md ("Configuration") for the table of variables.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PROBONO_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A video service that opens a room at <base>/<name> (e.g. a self-hosted Jitsi): when set, consultants may choose
# "a new room for each session", and each booking gets an unguessable room name.
VIDEO_ROOM_BASE_URL = env_str("VIDEO_ROOM_BASE_URL")
if VIDEO_ROOM_BASE_URL and not VIDEO_ROOM_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("VIDEO_ROOM_BASE_URL must be an https:// address")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "django_q",
    "csp",
    "ninja",  # its templates and static files: the API docs page loads Swagger UI from our own server
    "accounts",
    "consultants",
    "calendars",
    "booking",
    "waitlist",
    "feedback",
    "engagements",
    "integrations",
    "reports",
]

MIDDLEWARE = [
    "config.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.StaticCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "integrations.widget.WidgetPopupMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.preferences",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: one SQLite file, tuned for concurrent writers (WAL, BEGIN IMMEDIATE, a 20 s wait).
VAR_DIR.mkdir(exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "probono.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # 64 MB page cache per connection (default 2 MB): a database of a few hundred MB otherwise
                # reads index pages from the OS on every lookup (the wall's month query: 13.6 → 7.5 ms).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64000;",
            },
            # A file, not :memory:, so concurrency tests can use real threads and connections; one per
            # test process, so parallel runs (several engineers, CI and a bench) never share it.
            "TEST": {"NAME": str(VAR_DIR / f"test-probono-{os.getpid()}.sqlite3")},
            # Kept open between requests like PostgreSQL's: opening one (the PRAGMAs above take a lock) cost
            # more than a whole small page.
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # A signed-in request reads its session from Redis, not the database (written through to both). Without
    # Redis sessions stay in the database: a per-process memory cache would let a session that was logged out
    # in one worker live on in the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "probono_cache"}}

Q_CLUSTER = {
    "name": "probono",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 30,  # seconds a task may run ...
    "retry": 60,  # ... and the broker re-delivers only after this (must exceed timeout)
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "sync": env_bool("Q_SYNC", False),
    "label": "Tasks",
}
# The broker: Redis when REDIS_URL is set, unless Q_BROKER=orm keeps the queue in the database (Redis then serves
# only the cache): the ORM broker re-delivers a task whose worker died (after `retry`), Redis does not.
Q_BROKER = env_str("Q_BROKER", "redis" if REDIS_URL else "orm").strip().lower()
if Q_BROKER not in ("redis", "orm") or (Q_BROKER == "redis" and not REDIS_URL):
    raise ImproperlyConfigured("Q_BROKER must be 'orm', or 'redis' with REDIS_URL set")
if Q_BROKER == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
# A cluster that has not sent a heartbeat for this long makes /healthz answer 503.
Q_HEARTBEAT_MAX_AGE = env_int("Q_HEARTBEAT_MAX_AGE", 120)

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.CompanySignupForm"
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Probono: "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed logins: per address, and per address + account (key), so one attacker's failures never lock the
    # owner out elsewhere; per account from any address, slower than one address can reach (12 × 5 = 60 an hour).
    # accounts/adapter.py.
    "login_failed": "20/5m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,3/m/key",
    # Ours (accounts/ratelimits.py), on the same counter: POSTs of the booking steps and the manage link's
    # cancel/reschedule, of waitlist join/leave/claim, of the survey; and secret links that match nothing.
    # One rate each: every rate costs a cache lock and write per counted request.
    "booking": "30/m/ip",
    "waitlist": "10/m/ip",
    "survey": "10/m/ip",
    "customer_nps": "10/m/ip",
    "link_miss": "20/m/ip",
    "api_token": "10/m/ip",
}
if TESTING:
    # Tests log in hundreds of times from 127.0.0.1; the limits themselves have their own test.
    ACCOUNT_RATE_LIMITS = False
# The JSON API (/api/v1/): requests per token (or per signed-in person, or per address) per window of seconds.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)
# Behind N proxies that append to X-Forwarded-For, the client's address for the limits is the N-th from the end.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish")), ("da", _("Danish"))]
# Our catalogs first; then Swedish month abbreviations with their points ("dec."), which Django's catalog lacks.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "config" / "formats" / "monthnames"]
# Named date formats per language ("DATETIME_FORMAT", "SHORT_DATE_FORMAT", …): templates never spell a format.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; every page renders in the viewer's zone
DEFAULT_USER_TIME_ZONE = "Europe/Stockholm"

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Probono <hello@probono.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Payments ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")

# --- The consultants' other calendars (calendars/) ----------------------------------------------
# Fernet key(s) for the secret ICS addresses and CalDAV passwords at rest; comma-separated, newest first, to
# rotate. Required when DEBUG is off (a deploy check and the first use say so); generate one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
CALENDAR_ENCRYPTION_KEY = env_str("CALENDAR_ENCRYPTION_KEY")
# Outbound fetching (calendars/fetch.py): private and loopback addresses, and plain http, only when allowed.
CALENDAR_FETCH_ALLOW_PRIVATE = env_bool("CALENDAR_FETCH_ALLOW_PRIVATE", DEBUG or TESTING)
CALENDAR_FETCH_ALLOW_HTTP = env_bool("CALENDAR_FETCH_ALLOW_HTTP", DEBUG or TESTING)
CALENDAR_FETCH_TIMEOUT = env_int("CALENDAR_FETCH_TIMEOUT", 10)  # read timeout, seconds (connect: 5)
CALENDAR_FETCH_MAX_BYTES = env_int("CALENDAR_FETCH_MAX_BYTES", 10 * 1024 * 1024)
CALENDAR_FETCH_MAX_REDIRECTS = env_int("CALENDAR_FETCH_MAX_REDIRECTS", 3)
# Outgoing webhooks (integrations/services.py): read timeout in seconds; connect 3 s + 2 × this must stay below
# the task timeout (Q_CLUSTER["timeout"], 30 s). They reuse CALENDAR_FETCH_ALLOW_PRIVATE / _ALLOW_HTTP.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
if not 1 <= WEBHOOK_TIMEOUT or 3 + 2 * WEBHOOK_TIMEOUT >= Q_CLUSTER["timeout"]:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT must be at least 1 and 3 + 2 × it below the task timeout (30 s)")
CALENDAR_SYNC_MINUTES = env_int("CALENDAR_SYNC_MINUTES", 15)
CALENDAR_HORIZON_DAYS = env_int("CALENDAR_HORIZON_DAYS", 120)  # busy periods are read this far ahead
CALENDAR_FAILING_MAIL_HOURS = env_int("CALENDAR_FAILING_MAIL_HOURS", 24)

# --- Security ---------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
# Load balancers and `make serve`'s own check ask for /healthz over plain HTTP on the app's port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # every page but the booking widget (integrations/widget.py), which each consultant
# lets their own websites frame (a per-response CSP frame-ancestors)
# The widget's websites may be plain http only on localhost / 127.0.0.1, and only where this is on.
WIDGET_ALLOW_LOCAL_HTTP = env_bool("WIDGET_ALLOW_LOCAL_HTTP", DEBUG or TESTING)
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'", "https://checkout.stripe.com"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging and error tracking ----------------------------------------------------------------
# LOG_FORMAT=json (make serve): one JSON object per line on stdout, one line per request with its id (config/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
LOG_REQUESTS = env_bool("LOG_REQUESTS", LOG_FORMAT == "json")  # runserver prints its own request lines
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # django-q2 adds a handler of its own unless its logger is configured here.
        "django-q": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "probono.request": {"level": "INFO" if LOG_REQUESTS else "WARNING"},
    },
}

# Errors go to Sentry (or a compatible service such as GlitchTip) only when SENTRY_DSN is set; nothing is sent
# otherwise. No personal data: user ids only, no cookies, bodies or addresses.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE") or None,
        traces_sample_rate=env_int("SENTRY_TRACES_PERCENT", 0) / 100,
        send_default_pii=False,
    )
