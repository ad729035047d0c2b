"""Modelshelf settings: one module, every knob read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from modelshelf.env import env_bool, env_int, env_list, env_str

# ModelAdmin[AIModel], Paginator[AIModel] and the other generics django-stubs declares are not
# subscriptable at runtime without this.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MODELSHELF_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# With DEBUG off and no SECRET_KEY, Django refuses the first use of the key (a session, a CSRF
# token, a signed value) and `check --deploy` fails; key-free commands such as
# makemigrations still run.
SECRET_KEY = env_str("SECRET_KEY") or ("insecure-dev-key-only-for-debug" if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "core",
    "accounts",
    "catalog",
    "evaluations",
    "usage",
    "gateways",
    "fakevendor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "modelshelf.middleware.ContentSecurityPolicyMiddleware",
    # Gateways' polls of unchanged allow-lists: their 304 without the rest of the stack.
    "catalog.api.polls.AllowListPollMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "catalog.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "catalog.middleware.FriendlyNotFoundMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "modelshelf.urls"
WSGI_APPLICATION = "modelshelf.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "login"

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
                "catalog.context_processors.nav",
            ],
        },
    },
]

# Database: SQLite (WAL, IMMEDIATE transactions so web, worker and beat can all write) unless
# DATABASE_URL names another engine, e.g. postgres://user@host:5432/modelshelf.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, and a statement a connection runs this many times is
        # prepared: PostgreSQL then skips parsing and planning it (0.5 ms of the allow-list's
        # fingerprint, 0.95 -> 0.24 ms). Django's SQL names every column, so a migration that
        # adds one leaves prepared statements valid. 0 turns preparing off (PgBouncer in
        # transaction mode cannot keep a statement prepared on one server connection).
        prepare_after = env_int("DATABASE_PREPARE_THRESHOLD", 5)
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=prepare_after or None
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "modelshelf.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security: on by default in production, off for plain HTTP on loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP; a 301 would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Email: console in development, EMAIL_URL (smtp://user:pass@host:587/?tls=True) in production.
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    vars().update(dj_email_url.parse(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "modelshelf@localhost")
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL")

# Domain knobs.
APPROVAL_VALIDITY_DAYS = env_int("APPROVAL_VALIDITY_DAYS", 365, minimum=1)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "modelshelf-demo")

# Celery: a broker with no server (files under var/) unless CELERY_BROKER_URL says otherwise.
# Tasks are acknowledged after they finish and handed to another worker if theirs dies; the
# visibility timeout stays above the task time limits so Redis does not redeliver live tasks.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 120, minimum=10)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_queue_dir / "queue"),
        data_folder_out=str(_queue_dir / "queue"),
        processed_folder=str(_queue_dir / "processed"),
        control_folder=str(_queue_dir / "control"),  # else kombu writes ./control/ in the repo
        store_processed=False,
    )
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task running when the broker connection drops finishes its work (it needs only the
# database); its unacknowledged message comes back after the visibility timeout, and the jobs
# are idempotent, so the second delivery writes nothing.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SOFT_TIME_LIMIT = min(90, CELERY_VISIBILITY_TIMEOUT - 10)
CELERY_TASK_TIME_LIMIT = min(100, CELERY_VISIBILITY_TIMEOUT - 5)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Every periodic job, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Prices drift slowly and each source is one big fetch: hourly is fresh enough.
    "sync-prices": {"task": "catalog.tasks.jobs.sync_prices", "schedule": 60 * 60},
    # Outages matter within minutes; one list call per vendor keeps this cheap.
    "check-availability": {"task": "catalog.tasks.jobs.check_availability", "schedule": 5 * 60},
    # Daily at 03:15 UTC: expire lapsed adoptions, warn unit managers 30 days ahead.
    "expire-adoptions": {
        "task": "catalog.tasks.approvals.expire_adoptions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Daily at 03:30 UTC: warn unit managers 90, 30 and 7 days before deprecations/retirements.
    "notify-lifecycle": {
        "task": "catalog.tasks.notifications.notify_lifecycle",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily at 04:30 UTC, after vendors' usage reports settle; each run re-reads the last
    # USAGE_LOOKBACK_DAYS so late data replaces what was read before.
    "ingest-usage": {"task": "usage.tasks.ingest_usage", "schedule": crontab(hour=4, minute=30)},
    # A gateway that stops enforcing a unit's list leaks at once: check every 15 minutes (a
    # few calls per unit, concurrent per gateway).
    "check-gateways": {"task": "gateways.tasks.check_gateways", "schedule": 15 * 60},
}

# The trust boundary (DESIGN.md): hosts on private, loopback or link-local addresses that the
# outbound client may still call ("host" or "host:port", comma-separated; production: none),
# the most bytes it reads of one answer, and the form of a key variable's name.
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS", [])
OUTBOUND_MAX_BYTES = env_int("OUTBOUND_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
KEY_ENV_PATTERN = env_str("KEY_ENV_PATTERN", r"^[A-Z][A-Z0-9_]*_(API_KEY|ADMIN_KEY|KEY)$")

# Vendor jobs: per-call timeout, a whole vendor's availability deadline (below the task time
# limits), concurrent endpoint probes per vendor, "slow" threshold, rows per write batch.
VENDOR_TIMEOUT_SECONDS = env_int("VENDOR_TIMEOUT_SECONDS", 10, minimum=1)
AVAILABILITY_VENDOR_TIMEOUT_SECONDS = env_int(
    "AVAILABILITY_VENDOR_TIMEOUT_SECONDS", max(5, CELERY_TASK_SOFT_TIME_LIMIT - 15), minimum=1
)
AVAILABILITY_CONCURRENCY = env_int("AVAILABILITY_CONCURRENCY", 50, minimum=1)
AVAILABILITY_SLOW_MS = env_int("AVAILABILITY_SLOW_MS", 5000, minimum=1)
PRICE_SYNC_BATCH_SIZE = env_int("PRICE_SYNC_BATCH_SIZE", 1000, minimum=1)
# Untrusted vendor input: a price above PRICE_MAX_PER_MTOK (in the model's own unit: per 1M
# tokens, per query, per image…) is junk. A vendor's Retry-After, and any retry delay, is
# clamped to VENDOR_RETRY_AFTER_MAX seconds: below the visibility timeout, else Redis hands the
# delayed retry out again and again.
PRICE_MAX_PER_MTOK = env_int("PRICE_MAX_PER_MTOK", 100_000, minimum=1)
VENDOR_RETRY_AFTER_MAX = env_int(
    "VENDOR_RETRY_AFTER_MAX", min(60, CELERY_VISIBILITY_TIMEOUT // 2), minimum=0
)
if VENDOR_RETRY_AFTER_MAX >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("VENDOR_RETRY_AFTER_MAX must be below CELERY_VISIBILITY_TIMEOUT")

# Evaluation runs: concurrent calls per vendor (shared by every worker through Redis when
# REDIS_URL or a Redis broker is set, else per process; a dead worker's slots come back after
# EVAL_SLOT_LEASE_SECONDS), per-call timeout, retries of 429/5xx/timeouts per case; a task
# hands the rest of a long run to a fresh task after EVAL_TASK_BUDGET_SECONDS (below the
# soft time limit).
EVAL_CONCURRENCY_PER_VENDOR = env_int("EVAL_CONCURRENCY_PER_VENDOR", 32, minimum=1)
EVAL_SLOT_LEASE_SECONDS = env_int("EVAL_SLOT_LEASE_SECONDS", 10, minimum=1)
EVAL_TIMEOUT_SECONDS = env_int("EVAL_TIMEOUT_SECONDS", 30, minimum=1)
EVAL_MAX_RETRIES = env_int("EVAL_MAX_RETRIES", 2, minimum=0)
EVAL_TASK_BUDGET_SECONDS = env_int(
    "EVAL_TASK_BUDGET_SECONDS", max(1, CELERY_TASK_SOFT_TIME_LIMIT // 2), minimum=1
)
# Usage: days re-read by each ingest (late data lands), and the billed-vs-list gap that is news.
USAGE_LOOKBACK_DAYS = env_int("USAGE_LOOKBACK_DAYS", 3, minimum=0)
USAGE_MISMATCH_PCT = env_int("USAGE_MISMATCH_PCT", 5, minimum=0)

# Gateways: calls a unit may not make that each check tries (each must be refused), calls in
# flight at once per gateway, and the per-call timeout.
GATEWAY_DENY_PROBES = env_int("GATEWAY_DENY_PROBES", 3, minimum=0)
GATEWAY_CONCURRENCY = env_int("GATEWAY_CONCURRENCY", 50, minimum=1)
GATEWAY_TIMEOUT_SECONDS = env_int("GATEWAY_TIMEOUT_SECONDS", 10, minimum=1)

# A cache every process shares (throttles, login lockout): Redis when REDIS_URL is set,
# otherwise files under var/ (no server, and no queries on the database).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "modelshelf.cache.RedisCache",
        "LOCATION": REDIS_URL,
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
# Cached counts and options are keyed by the catalog's generation, not by its database: two
# installs (or parallel test workers) sharing one Redis database need a prefix each.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "")
# Sessions read from that cache and written through to the database: a signed-in page costs
# no session query, and a session survives a flushed or unreachable cache (read from the
# database then). Logging out deletes both copies; a deactivated user or a changed password
# still ends the session at the next request, checked on the user row.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Login lockout: by username and address together, so one proxy with many users is not locked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",  # with LOCAL_LOGIN off, superusers' passwords only
]
# Single sign-on (OpenID Connect, see README "Single sign-on"): on when OIDC_ISSUER is set. The
# provider's endpoints come from its discovery document; roles from its groups claim.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_APPROVER_GROUPS = env_list("OIDC_APPROVER_GROUPS", [])
OIDC_CATALOG_ADMIN_GROUPS = env_list("OIDC_CATALOG_ADMIN_GROUPS", [])
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
if OIDC_ISSUER and not OIDC_RP_CLIENT_ID:
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID must be set too")
if not LOCAL_LOGIN and not OIDC_ISSUER:
    raise ImproperlyConfigured("LOCAL_LOGIN=0 leaves no way to sign in unless OIDC_ISSUER is set")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # sent back as id_token_hint when logging out at the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
AUTHENTICATION_BACKENDS.append("accounts.oidc.SsoBackend")  # inert while OIDC_ISSUER is unset
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Content Security Policy: no inline scripts or styles anywhere, so none are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if OIDC_ISSUER:  # logout's form POST is redirected on to the provider's end_session_endpoint
    _issuer = urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# REST API: token first so an anonymous call gets a 401 with a challenge, not a 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "catalog.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # Per token (or session user); counted in the shared cache so every process agrees.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.UserRateThrottle",
        "accounts.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_RATE", "3000/min"),
        "anon": env_str("API_ANON_THROTTLE_RATE", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "catalog.api.schema.add_error_responses_and_links",
    ],
    "TITLE": "Modelshelf API",
    "DESCRIPTION": "The company's catalog of approved AI models: what exists, who may use what, "
    "what it costs, whether it is up.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # nothing public
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set of catalog/choices.py, whichever fields share it.
    "ENUM_NAME_OVERRIDES": {
        "ModalityEnum": "catalog.choices.Modality",
        "DataClassificationEnum": "catalog.choices.DataClassification",
        "ModelStatusEnum": "catalog.choices.ModelStatus",
        "AvailabilityStatusEnum": "catalog.choices.AvailabilityStatus",
        "PriceSourceEnum": "catalog.choices.PriceSource",
        "AdoptionStatusEnum": "catalog.choices.AdoptionStatus",
        "RequestStatusEnum": "catalog.choices.RequestStatus",
        "EvalRunStatusEnum": "evaluations.choices.RunStatus",
        "GraderEnum": "evaluations.choices.Grader",
        "FindingStatusEnum": "core.choices.FindingStatus",
        "GatewayFindingKindEnum": "gateways.choices.FindingKind",
        "GatewayKindEnum": "gateways.choices.GatewayKind",
    },
}
