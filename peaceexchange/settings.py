"""Settings for Peace Exchange, read from the environment (django-environ).

A fresh clone runs with no configuration: SQLite in the project folder and a
development secret key. ``DJANGO_ENV=production`` switches on the production
rules: a real ``SECRET_KEY`` is required, ``DEBUG`` must be off, and HTTPS,
HSTS and secure cookies are enforced.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from peaceexchange.caches import cache_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Addresses or networks of our own reverse proxy (e.g. "127.0.0.1" or "172.16.0.0/12" for
# Caddy in compose): behind them, X-Forwarded-For names the client for rate limits and
# lockouts. Empty: the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# The public address of the site, for links and QR codes that leave the request (join
# sheet, seed_demo); ``make room`` sets it to the LAN address. Empty: the request's host.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")

if PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs its own SECRET_KEY of at least 50 characters.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Two-factor sign-in for staff: TOTP apps and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Background exports and imports: Django's tasks (backport) with their database backend.
    "django_tasks",
    "django_tasks_db",
    "workshops",
]

# Long exports and imports run as tasks. Production: the database backend, run by
# `manage.py db_worker` (compose.yaml's `worker`). Development and tests: run at once,
# in the request, so `make run` needs no worker.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django_tasks_db.DatabaseBackend"
            if PRODUCTION
            else "django_tasks.backends.immediate.ImmediateBackend",
        )
    }
}

# Report files made in the background whenever a draft changes, so that a download of the
# same draft and numbers is the stored file (``services.jobs.prepare_draft_exports``). Off
# where tasks run at once in the request (development, tests): a save would wait for them.
REPORT_PREPARED_EXPORTS = env.list(
    "REPORT_PREPARED_EXPORTS",
    default=[] if TASKS["default"]["BACKEND"].endswith("ImmediateBackend") else ["pdf", "docx"],
)

MIDDLEWARE = [
    "workshops.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "workshops.middleware.UnchangedPollMiddleware",  # before sessions and users: 204s cost ~nothing
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "workshops.middleware.ParticipantNotFoundMiddleware",
    "workshops.middleware.SecurityHeadersMiddleware",
    "workshops.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "peaceexchange.urls"

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
                "workshops.context_processors.choices",
            ],
        },
    },
]

WSGI_APPLICATION = "peaceexchange.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Production: a psycopg pool per process (Django's OPTIONS "pool"): no "SELECT 1"
    # health check before each request's first query, and connections shared by threads.
    if env.bool("DATABASE_POOL", default=PRODUCTION):
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 20}
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_from_url(env.str("CACHE_URL", default="locmemcache://peaceexchange"))}
# Staff sessions are read from the shared cache (Redis) and written through to the
# database: one query fewer on every staff request (a board polls every second). A
# per-process cache would keep a signed-out session alive in the other processes.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"].endswith("LocMemCache")
    else "django.contrib.sessions.backends.cached_db"
)

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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workshops:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Two-factor sign-in (django-otp): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Peace Exchange"

# --- Internationalisation: French first, English complete -------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Africa/Bamako")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "pe_lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True

# --- Static files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (a network's reference Word document); never served by the app.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 60

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ------------------------------------------------------------------
# A strict policy on every response: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# A load balancer probes /healthz over plain HTTP: it is never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# django-axes: lock a (username, IP) pair, never a whole room behind one IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A device the staff member signed in on before (signed cookie) is never locked out by
# failures from others behind the room's IP address.
AXES_WHITELIST_CALLABLE = "workshops.views.public.known_staff_device"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# django-ratelimit: a local-memory cache is per process; production sets CACHE_URL
# to Redis or memcached so limits hold across processes.
RATELIMIT_USE_CACHE = "default"
# The cache stops answering: limits are not counted until it is back (peaceexchange/caches.py)
# rather than every phone being refused.
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [] if PRODUCTION else ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- REST API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "2000/hour", "anon": "100/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Peace Exchange API",
    "DESCRIPTION": "Workshops, sessions, contributions and roll-ups of Peace Exchange workshops.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI are for signed-in staff only (session or token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging: never contribution text, names or join codes -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "workshops.logging.RedactFilter"},
        "chatter": {"()": "workshops.logging.LibraryChatterFilter"},
    },
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact", "chatter"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Participant-facing limits.
PARTICIPANT_COOKIE_NAME = "pe_device"
PARTICIPANT_COOKIE_MAX_AGE = 60 * 60 * 24 * 14
CONTRIBUTION_MAX_LENGTH = 2000
# Rate limits of the participant pages (django-ratelimit, counted in the shared cache).
# Sends are counted per device, wrong join codes per device and then per network with a
# room-sized allowance, new participants per workshop and network at room scale.
PARTICIPANT_SEND_RATE = env.str("PARTICIPANT_SEND_RATE", default="30/m")
PARTICIPANT_JOIN_FAILURE_RATE = env.str("PARTICIPANT_JOIN_FAILURE_RATE", default="20/10m")
PARTICIPANT_JOIN_FAILURE_IP_RATE = env.str("PARTICIPANT_JOIN_FAILURE_IP_RATE", default="300/10m")
PARTICIPANT_NEW_IP_RATE = env.str("PARTICIPANT_NEW_IP_RATE", default="300/2m")
PARTICIPANT_NEW_WORKSHOP_RATE = env.str("PARTICIPANT_NEW_WORKSHOP_RATE", default="1000/10m")
# Phones follow the session states on /j/CODE/events/ (workshops/views/events.py), served
# as long streams by the ASGI server. Under WSGI a stream holds a thread: it is answered
# once (the phone asks again in 20 s) unless this many seconds are allowed, as in
# development; production routes the path to uvicorn instead (docs/deploy.md).
PARTICIPANT_EVENTS_WSGI_SECONDS = env.int(
    "PARTICIPANT_EVENTS_WSGI_SECONDS", default=60 if DEBUG else 0
)

# --- Participant pages (participant issue) -----------------------------------------
# A phone may keep a page open for hours: a failed CSRF check gives the contribute
# form back with the text filled in instead of Django's bare 403 page.
CSRF_FAILURE_VIEW = "workshops.views.participant.csrf_failure"

# --- Networks: invitations by link (networks issue) ----------------------------------
NETWORK_INVITATION_DAYS = env.int("NETWORK_INVITATION_DAYS", default=7)
# Email: the console in development; in production EMAIL_URL (e.g. smtp+tls://user:pass@host:587).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Peace Exchange <noreply@localhost>")
