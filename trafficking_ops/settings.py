"""Settings for the Trafficking Operations Tracker, read from environment variables (see README "Configuration")."""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or DEBUG=1).")
    # Local development only: a fixed, obviously-insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The largest filtered set offered as XLSX (built whole before it is sent); larger sets are exported as CSV, which
# streams any number of rows.
EXPORT_XLSX_MAX_ROWS = int(os.environ.get("EXPORT_XLSX_MAX_ROWS", "100000"))
# Rendered tables and charts are cached under the data version (operations/caching.py); 0 turns that off.
TRACKER_CACHE_SECONDS = int(os.environ.get("TRACKER_CACHE_SECONDS", "3600"))
CACHES = {
    "default": {
        # Django's LocMemCache with pages kept zlib-compressed: a 50-row table renders to ~50 kB, ~5 kB compressed,
        # so 500 entries stay a few megabytes per server process (trafficking_ops/cache.py).
        "BACKEND": "trafficking_ops.cache.CompressedLocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}

# The data package `load_reference` loads: the reference data vendored in the repository (`manage.py
# refresh_reference --from PATH` replaces it with a newer package).
REFERENCE_DIR = Path(os.environ.get("REFERENCE_DIR", BASE_DIR / "operations" / "reference_data"))

# "New operation from a source" fetches the page an editor gives (operations/drafting/fetch.py): the seconds the
# whole fetch may take, and networks allowed although not public. Empty here: loopback, private and link-local
# addresses are refused; only the tests widen it, for their own server on 127.0.0.1.
DRAFTING_FETCH_TIMEOUT = float(os.environ.get("DRAFTING_FETCH_TIMEOUT", "10"))
DRAFTING_FETCH_ALLOWED_NETWORKS = []

INSTALLED_APPS = [
    "operations.apps.TrackerAdminConfig",  # django.contrib.admin with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_bootstrap5",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "operations",
]

MIDDLEWARE = [
    "operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trafficking_ops.urls"

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
                "django.template.context_processors.csp",
                "operations.citation.context_processor",
            ],
        },
    },
]

WSGI_APPLICATION = "trafficking_ops.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# SQLite, the embedded default, serving several people at once: WAL lets pages read while someone writes; every
# transaction takes the write lock when it begins (IMMEDIATE), so concurrent writers queue for up to
# SQLITE_BUSY_TIMEOUT seconds instead of failing with "database is locked" when a read turns into a write; NORMAL
# sync is WAL's safe setting (a power cut can lose the last commits, never corrupt the file). Read-only transactions
# (exports) begin DEFERRED instead (exports.read_transaction). Measured limits: README "Concurrent use".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }

# A read replica (PostgreSQL streaming replication): reads go there, writes to the primary (see db_router.py and
# docs/scaling.md). Tests treat it as a mirror of the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["trafficking_ops.db_router.ReplicaRouter"]

# Nothing here needs django.contrib.postgres on SQLite, but django-tables2 (JSONColumn) and DRF import its fields when
# they can, which loads psycopg2 with its bundled libpq and libssl: ~5 MB of RSS in every worker, measured
# (docs/performance.md "Memory"). Both read an ImportError as "no PostgreSQL", which a None in sys.modules gives them.
if all(database["ENGINE"] == "django.db.backends.sqlite3" for database in DATABASES.values()):
    sys.modules.setdefault("django.contrib.postgres.fields", None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one address, that
# username is locked out from that address for AXES_COOLOFF_MINUTES. Per username AND address, so that nobody can
# lock a colleague out by typing their username wrongly five times from elsewhere. An administrator unlocks with
# `manage.py axes_reset_username <name>` or by deleting the "Access attempts" rows in the admin.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a proxy, the client address comes from X-Forwarded-For (set AXES_IPWARE_PROXY_COUNT to the proxy count).
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "operations:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The interface languages; the browser's Accept-Language picks one, the header's switcher overrides it (cookie).
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our tweaks to Django's locale formats (Spanish groups thousands with a point: "10.000").
FORMAT_MODULE_PATH = ["trafficking_ops.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `runserver` serve static files from the finders, so no collectstatic is needed there.
WHITENOISE_USE_FINDERS = DEBUG

BOOTSTRAP5 = {
    "css_url": {"url": "/static/vendor/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/static/vendor/bootstrap/js/bootstrap.bundle.min.js"},
}

# History tables are read by object and by operation, never by date alone: no index on history_date (it was 12 MB of
# a 100,000-row database's 223 MB; docs/performance.md "Disk").
SIMPLE_HISTORY_DATE_INDEX = False

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# HTTPS and browser hardening. On by default whenever DEBUG is off; each can be turned off by its variable (e.g.
# SECURE_SSL_REDIRECT=0 for a plain-HTTP benchmark on loopback). Behind a TLS-terminating proxy, the proxy must set
# X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's built-in middleware): our own files only, scripts only with the per-request
# nonce, no inline styles. Bootstrap's CSS draws some icons as data: SVG images.
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

# The read-only JSON API (/api/v1/, operations/api/): sessions or personal tokens, the pages' FilterSets, cursors.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "operations.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["operations.api.throttling.PerTokenRateThrottle"],
    # Requests per client (token, or user for a session) and period; 429 with Retry-After beyond it.
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE_LIMIT", "1200/hour")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "operations.api.views.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trafficking Operations Tracker API",
    "VERSION": "1",
    "DESCRIPTION": "Read-only open data: operations, per-country results, countries' qualified totals and sources.",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Imports operations/api/schema.py (the views' descriptions) before any endpoint is described.
    "PREPROCESSING_HOOKS": ["operations.api.schema.endpoints_as_they_are"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "operations.api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "operations.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
