"""Settings for worker subprocesses started by the real-Redis tests
(``test_redis_delivery.py``): the test settings, the test database given by
DATABASE_URL, a RedisBroker confined to its own namespace with a short heartbeat,
and an email backend the test can observe from outside the process."""

import os

from ogc.settings.test import *  # noqa: F403
from ogc.settings.test import DRAMATIQ_BROKER as _TEST_BROKER

DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {
        "url": os.environ["DRAMATIQ_BROKER_URL"],
        "namespace": os.environ["OGC_TEST_REDIS_NAMESPACE"],
        # A killed worker's unacknowledged messages go back to the queue after this
        # (default 60 s); maintenance runs on every command instead of 0.1 % of them.
        "heartbeat_timeout": int(os.environ.get("OGC_TEST_REDIS_HEARTBEAT_MS", "3000")),
        "maintenance_chance": 1_000_000,
    },
    "MIDDLEWARE": _TEST_BROKER["MIDDLEWARE"],
}
EMAIL_BACKEND = "notifications.tests.backends.SlowFileBackend"
