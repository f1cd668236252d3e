"""Test settings: MariaDB (DATABASE_URL), fast hasher, locmem email, stub broker."""

from .base import *  # noqa: F403
from .base import DATABASE_REPLICA_URLS, database_config, env, replica_databases

# Tests run on MariaDB, never SQLite: row locks, constraints and isolation are
# what they prove. `make test` creates the `ogc` database user (see Makefile).
DATABASES = {
    "default": database_config(env("DATABASE_URL", default="mysql://ogc:ogc-dev-password@127.0.0.1:3306/ogc")),
    **replica_databases(DATABASE_REPLICA_URLS),
}

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
OGC_INPROCESS_WORKER = False
DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.stub.StubBroker",
    "OPTIONS": {},
    "MIDDLEWARE": DRAMATIQ_BROKER["MIDDLEWARE"],  # noqa: F405
}
# Generous limits: the tests that prove throttling set their own rates.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": "10000/min",
    "user": "10000/min",
    "signup": "10000/min",
    "login": "10000/min",
    "money": "10000/min",
}
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # allauth: False turns them off
ACCOUNT_EMAIL_VERIFICATION = "optional"
OGC_ADMIN_EMAIL = env("OGC_ADMIN_EMAIL", default="admin@test.local")
OGC_ADMIN_PASSWORD = env("OGC_ADMIN_PASSWORD", default="test-admin-password-42")
