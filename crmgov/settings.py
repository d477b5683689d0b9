"""crmgov settings: one file, every deploy-specific value from the environment.

With nothing set, the app runs embedded: SQLite in var/, a Celery broker on the
file system (no server), e-mail printed to the console. With DATABASE_URL,
CELERY_BROKER_URL and REDIS_URL set it runs on PostgreSQL and Redis. The README
lists every variable.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("CRMGOV_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# Public, so only for development: `check --deploy` fails on it with DEBUG off (crmgov.E001).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the site, used in links inside e-mails (no request there).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

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
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crmgov",
    "projects",
    "issues",
    "changes",
    "closure",
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
    "crmgov.middleware.PrivateCacheMiddleware",
    "projects.core.middleware.UserPreferencesMiddleware",
    "projects.core.middleware.WorkCountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "projects.core.middleware.IdleTimeoutMiddleware",
    "projects.core.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "crmgov.urls"
WSGI_APPLICATION = "crmgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's own templates (base, errors, e-mails, allauth's), then each feature subpackage's
        # of the projects app (projects/<feature>/templates/projects/<feature>/…), which the app
        # directories loader does not look into; apps' templates/ folders come last (APP_DIRS).
        "DIRS": [BASE_DIR / "templates", *sorted(BASE_DIR.glob("projects/*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Django's Jinja2 backend, for the few fragments measured too slow in the Django template
        # language (crmgov/jinja_env.py); names never shared with the templates above.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,  # each app's jinja2/ folder
        "OPTIONS": {"environment": "crmgov.jinja_env.environment"},
    },
]

# --- Data -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crmgov.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process, the worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Every select of a form's model choices went through a server-side cursor (DECLARE, FETCH,
    # CLOSE: three round trips, and WITH HOLD outside a transaction makes the server materialise the
    # result anyway). Exports are capped (MAX_ROWS), so reading them client-side costs little.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Degrades to no cache while Redis is unreachable (crmgov/cache.py); short time-outs so a
    # stalled Redis costs a page a few seconds at most, never a gunicorn worker time-out.
    CACHES = {
        "default": {
            "BACKEND": "crmgov.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "projects.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# The adapter sends a key user of one project to today's report instead (issue 19).
LOGIN_REDIRECT_URL = "projects:my_work"

ACCOUNT_ADAPTER = "projects.core.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Signing in needs no verified address (invitations prove it), but changing one does: the new
# address is added unverified, a link goes to it, and only once it is followed does it replace the
# old one (ACCOUNT_CHANGE_EMAIL); adding, changing or removing an address asks for the password again.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[crmgov] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 5 per 5 minutes per (address, account): projects.core.accounts puts the address in
    # the key, so a stranger's guesses never lock the person out from their own address. Far more
    # loosely per address, so a whole office behind one NAT address cannot lock each other out.
    "login_failed": "120/m/ip,5/5m/key",
    # Every login form post, right or wrong, per address (allauth's default is 30): an office
    # signing in at nine o'clock with a few typos.
    "login": "300/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Sponsors and executives (permissions.Capability.TWO_FACTOR_REQUIRED) must set up TOTP before
# anything else. On in production; `make run` turns it off so the demo logins work as printed.
MFA_REQUIRED_FOR_LEADERSHIP = env.bool("MFA_REQUIRED_FOR_LEADERSHIP", default=True)
# Personal API tokens live at most this many days (a person may choose fewer).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=90)
# A session unused this long is signed out (checked against a last-seen time refreshed at most
# every 5 minutes, so the timeout is exact to 5 minutes). 0 turns it off.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=2 * 60 * 60)
MFA_TOTP_ISSUER = "crmgov"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files served only through permission-checked views (requirement documents): never under MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
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

# --- E-mail ---------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587; unset prints to the console.
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            key.removeprefix("EMAIL_").lower(): value
            for key, value in _email.items()
            if key
            in {"EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"}
            and value not in ("", None)
        }
        | ({"timeout": 30} if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {}),
    }
}
for _old, _new in {"host_user": "username", "host_password": "password"}.items():
    if _old in MAILERS["default"]["OPTIONS"]:
        MAILERS["default"]["OPTIONS"][_new] = MAILERS["default"]["OPTIONS"].pop(_old)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crmgov <noreply@crmgov.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------
# Unset: a broker on the file system under var/ (no server). The outbox table,
# not the broker, is the record of what must be sent (see projects/notifications/outbox.py).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    for _folder in ("processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
else:
    # Every retry countdown stays well below this (see projects/notifications/outbox.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The outbox's timings (projects/notifications/outbox.py); shortened only by the fault-injection run in bench/.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)  # longer than the task hard limit
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=120)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
# Chat webhooks (projects/notifications/services.py): each attempt's time limit; plain http to this
# machine only where allowed (DEBUG, tests), https everywhere else.
CHAT_WEBHOOK_TIMEOUT_SECONDS = env.int("CHAT_WEBHOOK_TIMEOUT_SECONDS", default=10)
CHAT_WEBHOOK_ALLOW_LOCAL = env.bool("CHAT_WEBHOOK_ALLOW_LOCAL", default=DEBUG)

# --- Security -------------------------------------------------------------
# HTTPS=true behind a TLS-terminating proxy turns on every HTTPS-only protection.
HTTPS = env.bool("HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# default-src 'none': a page that uses no nonce (an HTMX fragment) then allows no script at
# all, rather than falling back to every script of our own origin.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

MESSAGE_TAGS = {40: "danger"}

# --- REST API (/api/v1/, README "API") -------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous request gets 401 with a Bearer challenge.
        "projects.api.authentication.TokenAuthentication",
        # The browsable API and the docs page for someone signed in (CSRF enforced).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "projects.api.rest.NewestFirst",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "projects.api.rest.handle_exception",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "crmgov API",
    "DESCRIPTION": "Projects, daily reports, issues, change requests, escalations and status reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "IssueStatus": "issues.models.Issue.Status",
        "ChangeRequestStatus": "changes.models.ChangeRequest.Status",
        "EscalationStatus": "projects.escalations.models.Escalation.Status",
        "ProjectStatus": "projects.core.models.Project.Status",
    },
    # Self-hosted assets: no CDN is reachable.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default config also prints "django" records; print them once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
