"""Local (embedded) settings: SQLite, console email, in-process queue worker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me-0123456789abcdefghijklmnop")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# With no broker configured, a worker thread inside runserver drains the stub broker.
OGC_INPROCESS_WORKER = env.bool("OGC_INPROCESS_WORKER", default=not DRAMATIQ_BROKER_URL)  # noqa: F405
OGC_ADMIN_EMAIL = env("OGC_ADMIN_EMAIL", default="admin@ogc.local")
OGC_ADMIN_PASSWORD = env("OGC_ADMIN_PASSWORD", default="admin-change-me-42")
