"""Settings for KIB, read from the environment.

One module for every environment, read top to bottom. With nothing set, Django refuses to
start: production needs ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and ``DATABASE_URL``
(or ``KIB_ALLOW_SQLITE=1``), and says which one is missing. ``DJANGO_DEBUG=1`` (what
``make run`` sets) or ``KIB_TESTING=1`` (what the tests set) gives the SQLite demo instead:
a development secret key, localhost only, ``db.sqlite3`` beside ``manage.py``, relaxed
cookies and HTTPS, no second factor. A bad value fails loudly with ``ImproperlyConfigured``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("KIB_TESTING", False)
_RELAXED = DEBUG or TESTING  # the demo and the tests: no production secrets needed

# --- Applications and middleware ---------------------------------------------------------------

INSTALLED_APPS = [
    "kib.apps.KibAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_prose_editor",  # the rich-text editor of the admin (kib/richtext.py)
    "adminsortable2",  # dragging a chapter's parts into order (themes/ordering.py)
    "kib",
    "themes",
    "recommendations",
    "indicators",
    "kib.publication",
    "kib.workflow",
    "csp",
    "axes",
    "kib.ops",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "kib.ops.middleware.RequestLogMiddleware",  # first: sees and times every request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The stored PDF is downloaded as lean as a static file: before sessions, auth, language, CSRF.
    "kib.publication.middleware.PdfDownloadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kib.i18n.KibLocaleMiddleware",  # the admin always Dutch, the public site as asked
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "kib.urls"
WSGI_APPLICATION = "kib.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database ----------------------------------------------------------------------------------
# DATABASE_URL (PostgreSQL in production); the SQLite file only in the demo, the tests or with
# KIB_ALLOW_SQLITE=1. On SQLite a transaction takes the write lock when it begins, so two people
# saving one chapter queue up instead of one failing with "database is locked"; in tests the
# database is a file (one per test process) so that threads share it over real connections.
# A kept connection is checked before a request reuses it, so a database restart costs no error.

_database_url = os.environ.get("DATABASE_URL", "").strip()
if not _database_url:
    if not _RELAXED and not env_bool("KIB_ALLOW_SQLITE", False):
        raise ImproperlyConfigured(
            "DATABASE_URL must be set when DJANGO_DEBUG is off "
            "(or set KIB_ALLOW_SQLITE=1 to run production settings on the SQLite file)."
        )
    _database_url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except Exception as exc:  # dj_database_url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "kib.db.backends.postgresql"  # its health check costs no round trip
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept between requests (DB_CONN_MAX_AGE) as on PostgreSQL: a new SQLite connection reads the whole schema
    # again at its first query and prepares every statement anew (closed after each request, the grown set's
    # chapter page took 26.7 ms of server CPU over HTTP, kept 21.1: bench/bench_growth_http.py).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    if TESTING:
        _test_db = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kib-test-{os.getpid()}.sqlite3")
        DATABASES["default"]["TEST"] = {"NAME": _test_db}

# --- Language and time -------------------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Mail --------------------------------------------------------------------------------------
# Notification mails of the editorial workflow; KIB_SITE_URL is the address in their links.

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "kib@kinderrechtencollectief.nl")
KIB_SITE_URL = os.environ.get("KIB_SITE_URL", "http://127.0.0.1:8000")

# --- Security ----------------------------------------------------------------------------------
# Cookies and HTTPS are strict whenever DEBUG is off.

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if _RELAXED:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789"
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if _RELAXED else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a local monitor asks over plain HTTP
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env_int("KIB_SESSION_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True  # the language switch is a link (kib.views.switch_language); no script reads it
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not _RELAXED:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# No inline script or style anywhere on the public site. The hashes admit the few inline
# attributes of third-party admin templates (django-import-export's export form, the
# django-simple-history list), so the admin works unchanged under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'", "'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",
            "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
            # The base styles Tiptap (the rich-text editor, django-prose-editor 0.28.0) injects.
            "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",
        ],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-src": ["'self'"],  # the chapter's HTML preview beside the form (themes/preview.py)
        "frame-ancestors": ["'none'"],  # only that preview may be framed, by our own pages
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Login throttling (django-axes checks every login first; it needs the request: the admin login
# form passes it; in tests use client.force_login, or client.login(request=..., ...)). Ten failed
# logins for one user name within the cool-off time lock that account, from any address: a
# guesser who changes IP address gets no more tries. The lock lifts after the cool-off time, or
# at once with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("KIB_LOGIN_FAILURE_LIMIT", 10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = env_int("KIB_LOCKOUT_MINUTES", 60) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/lockout.html"
AXES_CLIENT_STR_CALLABLE = "kib.ops.security.axes_client_str"  # its log lines name the account id only
# axes.W006 asks for the IP address among the lockout parameters. Locking by address (alone or
# combined with the user name) lets a guesser with many addresses go on, or locks out a whole
# office behind one address; the account is what is guessed, so the account is what is locked.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# A second factor for coordinators and administrators (django-otp, TOTP; kib/ops/second_factor.py).
# On by default in production; off in the demo (`make run`) and in tests unless a test turns it on.
KIB_OTP_REQUIRED = env_bool("KIB_OTP_REQUIRED", not _RELAXED)
OTP_TOTP_ISSUER = "KIB Kinderrechten in Beweging"

# --- Storage: static files and media -----------------------------------------------------------
# Media (the published PDFs) on S3-compatible storage when KIB_S3_BUCKET is set; on disk otherwise.

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KIB_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = _RELAXED
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KIB_MEDIA_ROOT", BASE_DIR / "media"))

KIB_S3_BUCKET = os.environ.get("KIB_S3_BUCKET", "").strip()
if KIB_S3_BUCKET:
    _s3_key, _s3_secret = os.environ.get("KIB_S3_ACCESS_KEY_ID", ""), os.environ.get("KIB_S3_SECRET_ACCESS_KEY", "")
    if bool(_s3_key) != bool(_s3_secret):
        raise ImproperlyConfigured(
            "Set both KIB_S3_ACCESS_KEY_ID and KIB_S3_SECRET_ACCESS_KEY, or neither (then boto3 finds credentials)."
        )
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": KIB_S3_BUCKET,
            "endpoint_url": os.environ.get("KIB_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KIB_S3_REGION") or None,
            "access_key": _s3_key or None,
            "secret_key": _s3_secret or None,
            "location": os.environ.get("KIB_S3_PREFIX", "").strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _RELAXED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Editorial workflow ------------------------------------------------------------------------

KIB_FOUR_EYES = env_bool("KIB_FOUR_EYES", True)  # the approver is never the chapter's last editor

# --- PDF and background jobs -------------------------------------------------------------------
# Wall-clock limit of one WeasyPrint build, and where draft previews are kept (outside
# MEDIA_ROOT, so they are reachable only through the admin). PDF builds run as django-tasks
# with the database backend (at once, in the request, in tests). A running build renews its
# lease every quarter of KIB_PDF_LEASE_SECONDS; a build whose lease ran out lost its worker and
# is run again, at most KIB_PDF_MAX_ATTEMPTS times in all (kib/publication/services.py).

KIB_PDF_TIMEOUT = env_int("KIB_PDF_TIMEOUT", 600)
KIB_PDF_LEASE_SECONDS = env_int("KIB_PDF_LEASE_SECONDS", 60)
KIB_PDF_MAX_ATTEMPTS = env_int("KIB_PDF_MAX_ATTEMPTS", 3)
KIB_PDF_PREVIEW_ROOT = Path(os.environ.get("KIB_PDF_PREVIEW_ROOT", BASE_DIR / "var" / "pdf-previews"))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
    }
}

# --- Import of observations --------------------------------------------------------------------
# The largest file and the most rows one import accepts; a bigger file is refused with a Dutch
# message before anything is written.

KIB_IMPORT_MAX_BYTES = env_int("KIB_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
KIB_IMPORT_MAX_ROWS = env_int("KIB_IMPORT_MAX_ROWS", 100_000)

# --- Cache -------------------------------------------------------------------------------------
# Rendered public pages are kept per process under a content version shared by all server
# processes through a directory (kib/public_cache.py); tests use dummy caches unless a test
# switches them on. More than one web server: KIB_CACHE_URL (redis://host:6379/0, unix://…)
# keeps the version and the pages in Redis (Django's own backend), shared by every server.

KIB_PUBLIC_CACHE_SECONDS = env_int("KIB_PUBLIC_CACHE_SECONDS", 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if TESTING
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kib-public-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("KIB_PUBLIC_CACHE_ENTRIES", 1000)},
    },
    "public-version": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if TESTING
        else "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("KIB_PUBLIC_CACHE_DIR", str(BASE_DIR / "var" / "public-cache")),
    },
}
KIB_CACHE_URL = os.environ.get("KIB_CACHE_URL", "").strip()
if KIB_CACHE_URL:
    if not KIB_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"KIB_CACHE_URL must be a redis://, rediss:// or unix:// URL; got {KIB_CACHE_URL!r}."
        )
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KIB_CACHE_URL,
            "KEY_PREFIX": f"kib-{alias}",
        }
        for alias in CACHES
    }

# --- Operations: logging and the health check --------------------------------------------------
# One key=value line per event on stderr, each with the request id (kib/ops/logs.py).
# /healthz fails when a task has waited KIB_HEALTH_QUEUE_MAX_AGE seconds for the PDF worker.

KIB_HEALTH_QUEUE_MAX_AGE = env_int("KIB_HEALTH_QUEUE_MAX_AGE", 900)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kib.ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "kv": {"()": "kib.ops.logs.KeyValueFormatter"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "kv", "filters": ["request_id"]}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("KIB_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},  # not its start-up banner on every command
    },
}
