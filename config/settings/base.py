"""Settings shared by every environment; each value comes from the environment (django-environ)."""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.logging import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Git-ignored home of the embedded PostgreSQL, the filesystem broker and local media.
LOCAL_DIR = BASE_DIR / ".local"

env = environ.Env()
OWNER_DATABASE = "owner"

INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "django_structlog",
    "catalogue",
]

MIDDLEWARE = [
    "catalogue.middleware.ApiJsonErrorsMiddleware",
    "catalogue.middleware.ApiBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "catalogue.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "catalogue.middleware.LoginRequiredMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "catalogue.middleware.AuditOriginMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalogue.context_processors.navigation",
            ],
        },
    }
]


def database_from_env(variable: str = "DATABASE_URL") -> dict:
    """Parse DATABASE_URL (or another URL variable), failing with a message that names it."""
    url = env.str(variable, default="")
    if not url:
        raise ImproperlyConfigured(
            f"{variable} is not set: point it at PostgreSQL 15+ "
            "(make run / make test start an embedded one for you)"
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{variable} is malformed ({exc})") from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"{variable} must be a postgres:// URL (SQLite is not supported)"
        )
    # A Unix-socket directory travels percent-encoded in the host part (postgres://u@%2Fpath/db).
    config["HOST"] = unquote(config.get("HOST") or "")
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    # Parallel workers doubled a selective search's time at 1M artifacts (starting them costs more
    # than the few rows found); the catalogue's queries are short and bounded, so none by default.
    parallel = f"-c max_parallel_workers_per_gather={env.int('DB_PARALLEL_WORKERS', default=0)}"
    # JIT compiling a plan costs seconds; the rights check's set forms (eligibility, library,
    # reusable_by) are many small EXISTS whose estimated cost passes jit_above_cost while they
    # run in milliseconds. Off unless DB_JIT=on.
    jit = f"-c jit={'on' if env.bool('DB_JIT', default=False) else 'off'}"
    config["OPTIONS"]["options"] = " ".join(
        filter(None, [config["OPTIONS"].get("options"), parallel, jit])
    )
    return config


# DATABASE_URL is the application role (web, API, worker, beat: DML only). DATABASE_OWNER_URL,
# when set, is the schema owner: only `manage.py migrate` uses it (README, least-privilege roles).
DATABASES = {"default": database_from_env()}
if env.str("DATABASE_OWNER_URL", default=""):
    DATABASES[OWNER_DATABASE] = database_from_env("DATABASE_OWNER_URL") | {"CONN_MAX_AGE": 0}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "catalogue.auth_backends.CatalogueModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalogue:home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
# One combination: a (username, client IP) pair is locked, so guessing one account's password
# neither locks that person out everywhere nor locks every colleague behind the same office IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "catalogue.lockout.lockout_response"  # 429 + Retry-After, JSON under /api/
# The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT load balancers in front append to
# X-Forwarded-For (a client could otherwise pick its own address and dodge every per-IP limit).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)


def caches_from_env() -> dict:
    """Redis (Django's RedisCache) from CACHE_URL or REDIS_URL; a per-process cache when unset.

    Throttle counters need the shared one in production: with locmem every process counts alone.
    Give the cache its own Redis database: the test suite clears it (FLUSHDB) between tests.
    """
    url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "catalogue",
            }
        }
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL / REDIS_URL must be a redis:// URL")
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "catalogue",
            "TIMEOUT": 300,
        }
    }


CACHES = caches_from_env()

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(LOCAL_DIR / "media")))
MEDIA_URL = "/media/"
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Where a use happens when a rights check does not say (ISO 3166 alpha-2): IP licences must cover it.
CATALOGUE_JURISDICTION = env.str("CATALOGUE_JURISDICTION", default="GB").upper()
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
# API request bodies other than uploads (JSON): larger ones answer 413 before they are read.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2 * 1024 * 1024)
# Rows in one bulk import file; a larger file is refused up front, naming this limit.
MAX_IMPORT_ROWS = env.int("MAX_IMPORT_ROWS", default=50_000)

# Content Security Policy, enforced, with per-request nonces for the few inline scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalogue.auth_backends.CatalogueTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "catalogue.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "catalogue.api.schema.CatalogueAutoSchema",
    "EXCEPTION_HANDLER": "catalogue.api.errors.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Size, nesting and string-length limits on JSON bodies (catalogue/limits.py); no NUL in form fields.
    "DEFAULT_PARSER_CLASSES": [
        "catalogue.api.parsers.LimitedJSONParser",
        "catalogue.api.parsers.NulFreeFormParser",
        "catalogue.api.parsers.NulFreeMultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Writes, searches and exports, per user and per client IP (catalogue/api/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "catalogue.api.throttles.WritesUserThrottle",
        "catalogue.api.throttles.WritesIPThrottle",
        "catalogue.api.throttles.SearchUserThrottle",
        "catalogue.api.throttles.SearchIPThrottle",
        "catalogue.api.throttles.ExportsUserThrottle",
        "catalogue.api.throttles.ExportsIPThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Requests per user and per client IP (the IP allowance covers an office of users).
API_THROTTLE_RATES = {
    f"{scope}_{per}": env.str(f"API_THROTTLE_{scope.upper()}_{per.upper()}", default=default)
    for (scope, per), default in {
        ("writes", "user"): "300/min",
        ("writes", "ip"): "1200/min",
        ("search", "user"): "120/min",
        ("search", "ip"): "600/min",
        ("exports", "user"): "30/min",
        ("exports", "ip"): "120/min",
    }.items()
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Creative IP and artifact catalogue API",
    "DESCRIPTION": "Artifacts, authorship, reuse rights (ODRL), consent, reviews, reuses and outcomes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Anonymous users see only the login page and the health check: the schema is staff-only too.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per vocabulary, however many serializers use it.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "catalogue.models.choices.Channel",
        "ArtifactKindEnum": "catalogue.models.choices.ArtifactKind",
        "PurposeEnum": "catalogue.models.choices.Purpose",
        "ArtifactStatusEnum": "catalogue.models.choices.ArtifactStatus",
        "ConsentStatusEnum": "catalogue.models.choices.ConsentStatus",
        "ReviewStatusEnum": "catalogue.models.choices.ReviewStatus",
        "IPStatusEnum": "catalogue.models.choices.IPStatus",
        "RemediationEnum": "catalogue.models.choices.Remediation",
        "JobStatusEnum": "catalogue.models.jobs.BackgroundJob.Status",
    },
}

# Celery: a real broker in production; without one, kombu's filesystem transport under
# .local/ so `make run` needs no server and still runs a real worker process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = LOCAL_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "seal-audit-chain": {"task": "catalogue.tasks.seal_audit_chain", "schedule": 60.0},
    "archive-sunset-artifacts": {
        "task": "catalogue.tasks.archive_sunset_artifacts",
        "schedule": 24 * 3600.0,
    },
    "flag-stale-artifacts": {
        "task": "catalogue.tasks.flag_stale_artifacts",
        "schedule": 24 * 3600.0,
    },
    "send-daily-digests": {"task": "catalogue.tasks.send_daily_digests", "schedule": 24 * 3600.0},
    "sweep-consent-expiry": {
        "task": "catalogue.tasks.sweep_consent_expiry",
        "schedule": 24 * 3600.0,
    },
    "repair-rollups": {"task": "catalogue.tasks.repair_rollups", "schedule": 24 * 3600.0},
    "expire-job-files": {"task": "catalogue.tasks.expire_job_files", "schedule": 24 * 3600.0},
}

# Console mail by default; real SMTP by setting EMAIL_BACKEND and the EMAIL_* options.
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="catalogue@bank.example")

# structlog + django-structlog: request_id on every line of a request (the same id the audit
# origin records), task_id on a task's lines. JSON in production, readable locally.
configure_structlog()
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The audit trail always honoured an upstream X-Request-ID (load balancer); logs follow it.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True

# Uploads: the hostile-file checks' limits (catalogue/filecheck) and the ClamAV daemon (clamd).
# Without CLAMAV_SOCKET or CLAMAV_HOST uploads are not virus-scanned (README "Uploads");
# UPLOAD_SCAN_REQUIRED (on in production) then refuses every upload instead (503).
CLAMAV_SOCKET = env.str("CLAMAV_SOCKET", default="")
CLAMAV_HOST = env.str("CLAMAV_HOST", default="")
CLAMAV_PORT = env.int("CLAMAV_PORT", default=3310)
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)
UPLOAD_SCAN_REQUIRED = env.bool("UPLOAD_SCAN_REQUIRED", default=False)
UPLOAD_LIMITS = {
    "max_image_pixels": env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000),
    "zip_max_members": env.int("UPLOAD_ZIP_MAX_MEMBERS", default=1_000),
    "zip_max_total_bytes": env.int("UPLOAD_ZIP_MAX_TOTAL_BYTES", default=100 * 1024 * 1024),
    "zip_max_ratio": env.int("UPLOAD_ZIP_MAX_RATIO", default=100),
    "zip_max_depth": env.int("UPLOAD_ZIP_MAX_DEPTH", default=1),
}
