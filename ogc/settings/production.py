"""Production settings: every secret and host from the environment, HTTPS only."""

from .base import *  # noqa: F403
from .base import DATABASE_REPLICA_URLS, database_config, env, replica_databases

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": database_config(env("DATABASE_URL")), **replica_databases(DATABASE_REPLICA_URLS)}
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
CACHES = {"default": env.cache("CACHE_URL")}  # Redis: shared by every web process

EMAIL_CONFIG = env.email("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)

ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
OGC_ADMIN_EMAIL = env("OGC_ADMIN_EMAIL", default="")
OGC_ADMIN_PASSWORD = env("OGC_ADMIN_PASSWORD", default="")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and the Prometheus scrape reach the app server directly over HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# JSON log lines for the log shipper (docs/operations.md, "Logs").
OGC_LOG_FORMAT = env("OGC_LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if OGC_LOG_FORMAT == "json" else "plain"  # noqa: F405
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Behind a proxy, trust its X-Forwarded-For for lockouts by IP.
AXES_IPWARE_PROXY_COUNT = env.int("OGC_PROXY_COUNT", default=0)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
