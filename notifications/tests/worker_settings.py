"""Settings for worker subprocesses started by the live-broker tests
(``notifications/tests/live.py``): the test settings, the test database given by
DATABASE_URL, the broker of DRAMATIQ_BROKER_URL confined to the test's space
(``brokers.py``: a RedisBroker in its own key namespace with the heartbeat and
maintenance settings of the environment, the tests use a 3 s heartbeat; or a
RabbitmqBroker on the test's own virtual host, named in the URL, with publisher
confirms), and an email backend the test can observe from outside the process: a
file (``SlowFileBackend``) or, with OGC_TEST_SMTP_PORT, SMTP to the test's sink."""

import os

from ogc.settings.test import *  # noqa: F403
from ogc.settings.test import DRAMATIQ_BROKER as _TEST_BROKER
from ogc.settings.test import OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS, OGC_DRAMATIQ_MAINTENANCE_CHANCE

# The cache's keys (when CACHE_URL is Redis) under the test's namespace too, so parallel
# runs never share a throttle count (django-environ drops a key_prefix given in the URL).
CACHES["default"]["KEY_PREFIX"] = os.environ.get("OGC_TEST_REDIS_NAMESPACE", "")  # noqa: F405

if os.environ["DRAMATIQ_BROKER_URL"].startswith("amqp"):
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": os.environ["DRAMATIQ_BROKER_URL"], "confirm_delivery": True},
        "MIDDLEWARE": _TEST_BROKER["MIDDLEWARE"],
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {
            "url": os.environ["DRAMATIQ_BROKER_URL"],
            "namespace": os.environ["OGC_TEST_REDIS_NAMESPACE"],
            "heartbeat_timeout": OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS,
            "maintenance_chance": OGC_DRAMATIQ_MAINTENANCE_CHANCE,
        },
        "MIDDLEWARE": _TEST_BROKER["MIDDLEWARE"],
    }
if os.environ.get("OGC_TEST_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["OGC_TEST_SMTP_PORT"])
else:
    EMAIL_BACKEND = "notifications.tests.backends.SlowFileBackend"
