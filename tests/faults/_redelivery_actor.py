"""The actor of ``test_redelivery_delay.py``, loaded by a plain ``dramatiq`` worker
process: a RedisBroker configured from the environment, and an actor that records
that it started (a file named after its process) and then holds the message."""

import os
import time
from pathlib import Path

import dramatiq
from dramatiq.brokers.redis import RedisBroker

broker = RedisBroker(
    url=os.environ["OGC_MEASURE_REDIS_URL"],
    namespace="measure",
    heartbeat_timeout=int(os.environ["OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS"]),
    maintenance_chance=int(os.environ["OGC_DRAMATIQ_MAINTENANCE_CHANCE"]),
)
dramatiq.set_broker(broker)


@dramatiq.actor(actor_name="measure_hold", queue_name="notifications", max_retries=0)
def hold(directory: str) -> None:
    (Path(directory) / f"started-{os.getpid()}-{time.time()}").write_text("")
    time.sleep(3600)
