"""Shared settings for every environment, read from the environment with django-environ.

Only ``local``, ``test`` and ``production`` decide defaults that differ; nothing here
holds a secret.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
ENV_FILE = BASE_DIR / ".env"
if ENV_FILE.exists():
    env.read_env(str(ENV_FILE))

# --- Core -------------------------------------------------------------------
OGC_ENVIRONMENT = env("OGC_ENVIRONMENT", default="local")
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "core.admin_apps.ConsoleAdminConfig",  # django.contrib.admin with the console site (core/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    # Hashed, named, scoped, expiring API tokens (accounts.ApiToken, KNOX_TOKEN_MODEL).
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    # Second factor (TOTP, recovery codes, WebAuthn/passkeys) and the sessions page.
    "allauth.mfa",
    "allauth.usersessions",
    "auditlog",
    "django_dramatiq",
    "axes",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "wallets",
    "notifications",
    "subscriptions",
    "challenges",
    "governance",
    "ai",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First and last: django-prometheus times the whole stack (requests, responses and
    # latencies by view, method and status; /metrics, docs/operations.md).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIDMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switcher's cookie, else the browser's Accept-Language (pages
    # and API alike). After sessions, before common (Django's documented order).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The member's time zone on the pages (needs request.user).
    "core.middleware.MemberTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor reach only the enrolment pages (accounts.middleware).
    "accounts.middleware.StaffMfaMiddleware",
    # request.htmx: pages answer htmx requests with a fragment, others with the full page or a redirect.
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "ogc.urls"
WSGI_APPLICATION = "ogc.wsgi.application"
ASGI_APPLICATION = "ogc.asgi.application"

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
                "core.context_processors.platform",
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# DATABASE_URL: mysql://user:pass@127.0.0.1:3306/ogc in production and tests;
# the local (embedded) default is a SQLite file so `make run` needs no server.


_PROMETHEUS_BACKENDS = {
    "django.db.backends.mysql": "django_prometheus.db.backends.mysql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}


def database_config(url: str) -> dict:
    """A DATABASES entry from a URL; MySQL/MariaDB get strict mode, utf8mb4 and
    READ COMMITTED (the isolation the ledger's locking is written for)."""
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {}).update(
            {
                "charset": "utf8mb4",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
                "isolation_level": "read committed",
            }
        )
        config["TEST"] = {
            "NAME": env("OGC_TEST_DATABASE_NAME", default="test_ogc"),
            "CHARSET": "utf8mb4",
            "COLLATION": "utf8mb4_unicode_ci",
        }
    # Query counts, errors and durations per database on /metrics: django-prometheus'
    # wrapper of the same backend (vendor and behaviour unchanged). OGC_DB_METRICS=false: the plain backend.
    if env.bool("OGC_DB_METRICS", default=True) and config["ENGINE"] in _PROMETHEUS_BACKENDS:
        config["ENGINE"] = _PROMETHEUS_BACKENDS[config["ENGINE"]]
    config["ATOMIC_REQUESTS"] = False  # services own their transactions
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    return config


# Read replicas (core/db_router.py, docs/scaling.md): DATABASE_REPLICA_URLS lists zero or
# more MariaDB replicas of DATABASE_URL's server (aliases replica, replica_2, ...). None:
# every read is the primary's and no router is installed. Under the test runner each
# replica mirrors the test database (TEST MIRROR), so no second test database is made.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])


def replica_databases(urls: list[str]) -> dict[str, dict]:
    """The DATABASES entries of the replicas at ``urls``."""
    entries = {}
    for number, url in enumerate(urls, start=1):
        config = database_config(url)
        if config["ENGINE"] == "django.db.backends.mysql":
            config["OPTIONS"]["connect_timeout"] = env.int("OGC_REPLICA_CONNECT_TIMEOUT_SECONDS", default=2)
        config["TEST"] = {"MIRROR": "default"}
        entries["replica" if number == 1 else f"replica_{number}"] = config
    return entries


OGC_REPLICA_ALIASES = list(replica_databases(DATABASE_REPLICA_URLS))
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"] if OGC_REPLICA_ALIASES else []
# A replica further behind than this (Seconds_Behind_Master), or not replicating, is skipped.
OGC_REPLICA_MAX_LAG_SECONDS = env.float("OGC_REPLICA_MAX_LAG_SECONDS", default=5)
# Read-your-writes: how long a read waits for a replica to apply the member's last write
# (MASTER_GTID_WAIT) before going to the primary, and how long that position is kept.
OGC_REPLICA_RYW_WAIT_SECONDS = env.float("OGC_REPLICA_RYW_WAIT_SECONDS", default=0.2)
OGC_REPLICA_RYW_TTL_SECONDS = env.int("OGC_REPLICA_RYW_TTL_SECONDS", default=300)
# How long a process trusts its last look at a replica's health.
OGC_REPLICA_HEALTH_TTL_SECONDS = env.float("OGC_REPLICA_HEALTH_TTL_SECONDS", default=1.0)

DATABASES = {
    "default": database_config(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
    **replica_databases(DATABASE_REPLICA_URLS),
}
if OGC_REPLICA_ALIASES:
    # Read-your-writes; outside the session and auth middleware: it sees their writes and the user they set.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("core.middleware.RequestIDMiddleware") + 1, "core.db_router.ReplicaReadsMiddleware"
    )
FORMS_URLFIELD_ASSUME_HTTPS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Throttles, allauth rate limits and lockouts read this cache: production must
# point CACHE_URL at Redis so every web process shares one view.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://ogc")}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth 65: email is the login; there is no username.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "add_email": "accounts.forms.AddEmailForm"}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's EmailAddress declares two conditional unique constraints (one verified owner
# of an address, one primary address per user) that MariaDB cannot create (models.W036).
# The application enforces both instead: accounts.selectors.email_in_use on every path
# that adds or changes an address, and check_integrity finds rows that got around it
# (docs/security.md, "Contract hardening"). accounts.checks reports W036 again, as
# accounts.W036, for any other model, so this silences allauth's case alone.
SILENCED_SYSTEM_CHECKS = ["models.W036"]
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("OGC_RATE_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env("OGC_RATE_SIGNUP", default="20/m/ip"),
}

# django-axes: lockout after repeated failures, per account and per IP, on every
# login path (pages, API token, /admin/).
AXES_FAILURE_LIMIT = env.int("OGC_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("OGC_LOGIN_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "core.lockout.get_username"
# 429 with Retry-After (the cool-off); JSON under /api/ (tests/test_abuse_limits.py).
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts made during a lockout (the right password included) do not restart the
# cool-off: the lockout ends OGC_LOGIN_COOLOFF_HOURS after the failure that caused it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# --- Second factor, step-up, sessions (docs/security.md, "Account security") ----------
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "OGC NewFinity"
# Recovery codes are shown (and downloadable) once; the member regenerates a new set.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# Staff must have a second factor: accounts.middleware.StaffMfaMiddleware (pages) and
# core.authentication (the /api/v1/ops/ API).
OGC_STAFF_MFA_REQUIRED = env.bool("OGC_STAFF_MFA_REQUIRED", default=True)
# A withdrawal above this amount needs a second factor on the account (empty: never).
_mfa_above = env("OGC_WITHDRAWAL_MFA_ABOVE", default="")
OGC_WITHDRAWAL_MFA_ABOVE = Decimal(_mfa_above) if _mfa_above else None


# Withdrawal limits (issue #17, four-eyes): the most one withdrawal may be, the most a
# member may withdraw in any 24 hours (pending and completed), per member; a plan may
# set its own (subscriptions' Plan.withdrawal_max / withdrawal_daily_max). Empty: none.
OGC_WITHDRAWAL_MAX = Decimal(_v) if (_v := env("OGC_WITHDRAWAL_MAX", default="100000")) else None
OGC_WITHDRAWAL_DAILY_MAX = Decimal(_v) if (_v := env("OGC_WITHDRAWAL_DAILY_MAX", default="250000")) else None
# Above this amount a withdrawal needs two different operators' approvals. Empty: one.
OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE = (
    Decimal(_v) if (_v := env("OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE", default="10000")) else None
)
# Step-up: sensitive pages ask for the password or a code again after this many seconds.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("OGC_REAUTHENTICATION_SECONDS", default=300)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Sessions are recorded at login (address, browser); not on every request (no write
# per page view), so the sessions page shows when each began, not when it was last used.
USERSESSIONS_TRACK_ACTIVITY = False

# API tokens: django-rest-knox with our model (hashed, named, scoped, expiring).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("OGC_API_TOKEN_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "ogc_",
    "AUTO_REFRESH": False,
}
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Internationalisation -------------------------------------------------------
# English is the source language; each other language is one catalogue,
# locale/<code>/LC_MESSAGES/django.po (docs/ui.md, "Translations"; `make messages`).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Visitors and the API see UTC; a member's pages use the profile's time zone
# (core.middleware.MemberTimezoneMiddleware).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Email ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="OGC NewFinity <no-reply@ogc.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- API (DRF) ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.AuditedTokenAuthentication",
        "core.authentication.AuditedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["core.filters.StrictDjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultPagination",
    # JSON only: form encodings would bring HTML-form semantics (an empty optional
    # field silently ignored) to a JSON API, and the schema documents JSON bodies.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "core.schema.ErrorResponsesAutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("OGC_THROTTLE_ANON", default="60/min"),
        "user": env("OGC_THROTTLE_USER", default="600/min"),
        "signup": env("OGC_THROTTLE_SIGNUP", default="10/hour"),
        "login": env("OGC_THROTTLE_LOGIN", default="20/min"),
        "money": env("OGC_THROTTLE_MONEY", default="60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OGC NewFinity API",
    "DESCRIPTION": "Token wallets, challenges, subscriptions, notifications and governance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Choice sets that share a field name get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "SubscriptionStatusEnum": "subscriptions.models.SubscriptionStatus",
        "TransactionKindEnum": "wallets.models.TransactionKind",
        "TransactionStatusEnum": "wallets.models.TransactionStatus",
        "TransactionDirectionEnum": "wallets.models.Direction",
        "NotificationKindEnum": "notifications.kinds.NotificationKind",
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "ChallengeStatusEnum": "challenges.models.ChallengeStatus",
        "SubmissionStatusEnum": "challenges.models.SubmissionStatus",
        "ProposalStatusEnum": "governance.models.ProposalStatus",
        "SubscriptionPeriodKindEnum": "subscriptions.models.SubscriptionPeriod.Kind",
        # Two fields named "scope": an API token's and a similarity flag's.
        "TokenScopeEnum": "accounts.models.api_token.TokenScope",
        "SimilarityFlagScopeEnum": "ai.models.FlagScope",
        "AIFeatureEnum": "ai.models.AIFeature",
    },
}

# --- Audit (django-auditlog) ------------------------------------------------------
AUDITLOG_CID_HEADER = "x-request-id"
AUDITLOG_CID_GETTER = "core.middleware.get_request_id"
AUDITLOG_STORE_JSON_CHANGES = True

# --- Queue (dramatiq via django-dramatiq) -------------------------------------------
# DRAMATIQ_BROKER_URL: redis://... (default for production) or amqp://...
# Unset: the embedded default, a stub broker (local run: served by a worker
# thread inside the web process; tests: a real Worker the test starts).
DRAMATIQ_BROKER_URL = env("DRAMATIQ_BROKER_URL", default="")
_DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    # The request's correlation id travels in every message it enqueues; counts per
    # actor and the worker heartbeat for /metrics and `manage.py worker_status`.
    "core.queue_middleware.RequestIdMiddleware",
    "core.queue_middleware.ActorStatsMiddleware",
    "core.queue_middleware.WorkerHeartbeatMiddleware",
]
# Redis only: a worker whose last command is older than the heartbeat timeout is dead,
# and its unacknowledged messages go back to the queue at the next "maintenance", which
# runs on this many commands in a million (dramatiq's defaults: 60 s and 1,000, i.e. a
# SIGKILLed worker's messages came back after 60 s plus minutes of chance). See
# docs/notifications.md, "Redelivery after a killed worker".
OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS = env.int("OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS", default=60_000)
OGC_DRAMATIQ_MAINTENANCE_CHANCE = env.int("OGC_DRAMATIQ_MAINTENANCE_CHANCE", default=100_000)
if DRAMATIQ_BROKER_URL.startswith(("redis://", "rediss://")):
    _BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {
            "url": DRAMATIQ_BROKER_URL,
            "heartbeat_timeout": OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS,
            "maintenance_chance": OGC_DRAMATIQ_MAINTENANCE_CHANCE,
        },
    }
elif DRAMATIQ_BROKER_URL.startswith(("amqp://", "amqps://")):
    # Publisher confirms: a send returns once RabbitMQ has the message (an unconfirmed
    # one raises, and the outbox relay sends it again). The virtual host is the URL's path.
    _BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": DRAMATIQ_BROKER_URL, "confirm_delivery": True},
    }
else:
    _BROKER = {"BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}}
DRAMATIQ_BROKER = {**_BROKER, "MIDDLEWARE": _DRAMATIQ_MIDDLEWARE}
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# Run a worker thread inside the web process (embedded default only).
OGC_INPROCESS_WORKER = env.bool("OGC_INPROCESS_WORKER", default=False)

# --- Security headers (django-csp 4) ------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Domain settings --------------------------------------------------------------
OGC_TOKEN_SYMBOL = "OGC"
# Unstake cool-down in hours (0 = unstaked tokens are available at once).
OGC_UNSTAKE_COOLDOWN_HOURS = env.int("OGC_UNSTAKE_COOLDOWN_HOURS", default=0)
# How long an Idempotency-Key is kept (hours, at least 24).
OGC_IDEMPOTENCY_TTL_HOURS = max(24, env.int("OGC_IDEMPOTENCY_TTL_HOURS", default=48))
# An Idempotency-Key still in progress after this long belongs to a request that died
# (a killed worker): a retry with the same key and payload takes it over. Keep it
# above gunicorn's --timeout (the longest a request can run).
OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = env.float("OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS", default=120)
# A retry that arrives while its Idempotency-Key is still in progress waits this long, then gets 409.
OGC_IDEMPOTENCY_WAIT_SECONDS = env.float("OGC_IDEMPOTENCY_WAIT_SECONDS", default=5)
OGC_PROPOSAL_MIN_STAKE = Decimal(env("OGC_PROPOSAL_MIN_STAKE", default="100"))
# Member-to-member transfers (docs/wallets.md, "Transfers"): the most one transfer may
# move, and the most one member may send in any rolling 24 hours (whole tokens).
OGC_TRANSFER_MAX = Decimal(env("OGC_TRANSFER_MAX", default="10000"))
OGC_TRANSFER_DAILY_LIMIT = Decimal(env("OGC_TRANSFER_DAILY_LIMIT", default="50000"))
# Withdrawal addresses (docs/wallets.md, "Withdrawal addresses"): a new address is usable
# only once confirmed from the emailed link and after this many hours; the link is valid
# this many hours after it is sent.
OGC_NEW_ADDRESS_COOLDOWN_HOURS = env.int("OGC_NEW_ADDRESS_COOLDOWN_HOURS", default=24)
OGC_ADDRESS_CONFIRM_LINK_HOURS = env.int("OGC_ADDRESS_CONFIRM_LINK_HOURS", default=72)
# Challenges and badges (see docs/challenges.md): the "staker" badge needs at least this many staked tokens.
OGC_BADGE_STAKER_MIN = Decimal(env("OGC_BADGE_STAKER_MIN", default="1000"))
# Treasury policy: the most one challenge's prize escrow may hold (funding beyond it is a
# 409 treasury_refused); empty: no limit.
_max_escrow = env("OGC_TREASURY_MAX_ESCROW", default="1000000000")
OGC_TREASURY_MAX_ESCROW = Decimal(_max_escrow) if _max_escrow else None
# Governance: share of all staked tokens (at the snapshot) that must vote for a result to count.
OGC_PROPOSAL_QUORUM_SHARE = Decimal(env("OGC_PROPOSAL_QUORUM_SHARE", default="0.10"))
# Subscriptions (see docs/subscriptions.md): days a failed renewal is retried before
# the subscription expires, and how early the "expiring in N days" notice goes out.
OGC_SUBSCRIPTION_GRACE_DAYS = env.int("OGC_SUBSCRIPTION_GRACE_DAYS", default=3)
OGC_SUBSCRIPTION_EXPIRING_NOTICE_DAYS = env.int("OGC_SUBSCRIPTION_EXPIRING_NOTICE_DAYS", default=3)
# How often the dramatiq actor runs process_subscriptions (minutes; 0 = only by cron/command).
OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES = env.int("OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES", default=15)

# --- Notifications (see docs/notifications.md) ---------------------------------------
OGC_SITE_URL = env("OGC_SITE_URL", default="http://127.0.0.1:8000")  # links in emails
OGC_NOTIFICATION_MAX_ATTEMPTS = env.int("OGC_NOTIFICATION_MAX_ATTEMPTS", default=5)
OGC_NOTIFICATION_RETRY_MIN_BACKOFF_MS = env.int("OGC_NOTIFICATION_RETRY_MIN_BACKOFF_MS", default=5_000)
OGC_NOTIFICATION_RETRY_MAX_BACKOFF_MS = env.int("OGC_NOTIFICATION_RETRY_MAX_BACKOFF_MS", default=300_000)
# Rows still queued this long after they were handed to the broker are re-enqueued.
OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES = env.int("OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES", default=10)
# Email rows claimed together in one committed transaction before they are sent one by
# one (each marked sent right after its send): throughput, not a duplicate window.
OGC_NOTIFICATION_EMAIL_LOCK_BATCH = env.int("OGC_NOTIFICATION_EMAIL_LOCK_BATCH", default=25)
# Lease of an email claim. Longer than a claim batch takes to send, shorter than the
# broker's heartbeat timeout (so a redelivered message finds a dead worker's claim
# expired and reconciles it). An expired claim's in-flight email becomes "unknown".
OGC_NOTIFICATION_CLAIM_SECONDS = env.float("OGC_NOTIFICATION_CLAIM_SECONDS", default=30)
# Seconds an SMTP operation may block (Django's default: forever, which would hold a claim).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Operations: health, metrics, error tracking (docs/operations.md) -------------------
# /readyz answers within this many seconds whatever hangs (a dependency that has not
# answered by then is reported as failed).
OGC_READINESS_TIMEOUT_SECONDS = env.float("OGC_READINESS_TIMEOUT_SECONDS", default=0.8)
# /metrics is refused unless the caller sends "Authorization: Bearer <token>" or comes
# from one of these networks (CIDRs, e.g. 10.0.0.0/8). Both empty: refused to all.
OGC_METRICS_TOKEN = env("OGC_METRICS_TOKEN", default="")
OGC_METRICS_ALLOWED_NETWORKS = env.list("OGC_METRICS_ALLOWED_NETWORKS", default=[])
# Queue workers write a heartbeat to the cache this often (manage.py worker_status).
OGC_WORKER_HEARTBEAT_SECONDS = env.float("OGC_WORKER_HEARTBEAT_SECONDS", default=15)
# sentry-sdk, only when SENTRY_DSN is set (core/sentry.py); otherwise never imported.
SENTRY_DSN = env("SENTRY_DSN", default="")
OGC_RELEASE = env("OGC_RELEASE", default="")
if SENTRY_DSN:
    from core.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=OGC_ENVIRONMENT,
        release=OGC_RELEASE,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Logging ------------------------------------------------------------------
# One line per record on stderr: JSON objects in production (OGC_LOG_FORMAT=json, the
# production default), readable text locally. Every line carries the correlation id,
# the user id and the path (core/log_context.py) and is scrubbed of secrets and emails.
OGC_LOG_FORMAT = env("OGC_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.log_context.ContextFilter"}},
    "formatters": {
        "plain": {"()": "core.log_context.PlainFormatter"},
        "json": {"()": "core.log_context.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if OGC_LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- AI segment (docs/ai.md) -----------------------------------------------------
# The provider: "local" (offline algorithms, the default), "semantic" (all-MiniLM-L6-v2,
# needs requirements-ai.txt) or "openai_compatible" (an HTTP model server).
OGC_AI_PROVIDER = env("OGC_AI_PROVIDER", default="local")
# Each feature can be turned off.
OGC_AI_SIMILARITY_ENABLED = env.bool("OGC_AI_SIMILARITY_ENABLED", default=True)
OGC_AI_SEARCH_ENABLED = env.bool("OGC_AI_SEARCH_ENABLED", default=True)
# A flag is recorded at or above this score; empty means the provider's measured default
# (MinHash 0.40, cosine 0.90: docs/ai.md, "Measured quality").
_similarity_threshold = env("OGC_AI_SIMILARITY_THRESHOLD", default="")
OGC_AI_SIMILARITY_THRESHOLD = float(_similarity_threshold) if _similarity_threshold else None
OGC_AI_SIMILARITY_MAX_FLAGS = env.int("OGC_AI_SIMILARITY_MAX_FLAGS", default=3)  # per scope
OGC_AI_SEARCH_MAX_QUERY = env.int("OGC_AI_SEARCH_MAX_QUERY", default=200)  # characters
OGC_AI_SEARCH_CANDIDATES = env.int("OGC_AI_SEARCH_CANDIDATES", default=500)  # lexical, per kind
# openai_compatible: no content leaves the platform until OGC_AI_OPENAI_SEND_CONTENT is true.
OGC_AI_OPENAI_BASE_URL = env("OGC_AI_OPENAI_BASE_URL", default="")
OGC_AI_OPENAI_API_KEY = env("OGC_AI_OPENAI_API_KEY", default="")
OGC_AI_OPENAI_CHAT_MODEL = env("OGC_AI_OPENAI_CHAT_MODEL", default="gpt-4o-mini")
OGC_AI_OPENAI_EMBED_MODEL = env("OGC_AI_OPENAI_EMBED_MODEL", default="text-embedding-3-small")
OGC_AI_OPENAI_EMBED_DIMENSIONS = env.int("OGC_AI_OPENAI_EMBED_DIMENSIONS", default=1536)
OGC_AI_OPENAI_SEND_CONTENT = env.bool("OGC_AI_OPENAI_SEND_CONTENT", default=False)
OGC_AI_OPENAI_TIMEOUT_SECONDS = env.float("OGC_AI_OPENAI_TIMEOUT_SECONDS", default=10)
OGC_AI_OPENAI_RETRIES = env.int("OGC_AI_OPENAI_RETRIES", default=2)
OGC_AI_OPENAI_BACKOFF_SECONDS = env.float("OGC_AI_OPENAI_BACKOFF_SECONDS", default=0.5)
OGC_AI_OPENAI_BREAKER_FAILURES = env.int("OGC_AI_OPENAI_BREAKER_FAILURES", default=5)
OGC_AI_OPENAI_BREAKER_SECONDS = env.float("OGC_AI_OPENAI_BREAKER_SECONDS", default=60)
# The paid assistant (docs/ai.md, "The assistant"): each feature can be turned off.
OGC_AI_ASSISTANT_SUMMARY_ENABLED = env.bool("OGC_AI_ASSISTANT_SUMMARY_ENABLED", default=True)
OGC_AI_ASSISTANT_FEEDBACK_ENABLED = env.bool("OGC_AI_ASSISTANT_FEEDBACK_ENABLED", default=True)
# Prices in OGC: a fee per request plus a price per 1,000 input and output units (words
# for the local algorithms, tokens for an HTTP model). The estimate bills the most output
# a request may produce; the charge is what was used, never more than the estimate.
OGC_AI_PRICE_PER_REQUEST = Decimal(env("OGC_AI_PRICE_PER_REQUEST", default="0.05"))
OGC_AI_PRICE_PER_1K_INPUT_UNITS = Decimal(env("OGC_AI_PRICE_PER_1K_INPUT_UNITS", default="0.1"))
OGC_AI_PRICE_PER_1K_OUTPUT_UNITS = Decimal(env("OGC_AI_PRICE_PER_1K_OUTPUT_UNITS", default="0.4"))
OGC_AI_MAX_OUTPUT_UNITS = env.int("OGC_AI_MAX_OUTPUT_UNITS", default=300)
# A draft is 1 to this many characters; a proposal and its discussion are read up to it.
OGC_AI_MAX_INPUT_CHARS = env.int("OGC_AI_MAX_INPUT_CHARS", default=20_000)
# Plans with the feature code "ai_credits" give this many OGC of free use per calendar month (UTC).
OGC_AI_MONTHLY_FREE_CREDITS = Decimal(env("OGC_AI_MONTHLY_FREE_CREDITS", default="2"))
# Per member: at most this many requests in any rolling hour (429 beyond).
OGC_AI_REQUESTS_PER_HOUR = env.int("OGC_AI_REQUESTS_PER_HOUR", default=20)
# The reconcile job (manage.py ai_reconcile): a request running longer than this (its
# worker died) or queued longer than this (its message was lost) is retried, up to
# OGC_AI_REQUEST_MAX_ATTEMPTS runs in all; then it fails and its hold is released.
OGC_AI_REQUEST_STALE_SECONDS = env.int("OGC_AI_REQUEST_STALE_SECONDS", default=300)
OGC_AI_REQUEST_MAX_ATTEMPTS = env.int("OGC_AI_REQUEST_MAX_ATTEMPTS", default=2)
