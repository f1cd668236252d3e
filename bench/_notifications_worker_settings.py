"""Settings of the worker process started by ``bench.notifications``: the test
settings on the bench database (DATABASE_URL), Redis in the bench's own namespace,
and an in-memory email backend (templates are rendered and messages built; no SMTP)."""

import os

from ogc.settings.test import *  # noqa: F403
from ogc.settings.test import DRAMATIQ_BROKER as _TEST_BROKER

DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {"url": os.environ["DRAMATIQ_BROKER_URL"], "namespace": os.environ["OGC_BENCH_REDIS_NAMESPACE"]},
    "MIDDLEWARE": _TEST_BROKER["MIDDLEWARE"],
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
