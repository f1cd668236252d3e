"""Measurement, not part of the suite (skipped unless OGC_MEASURE_REDELIVERY=1): how
long a SIGKILLed Redis worker's message takes to reach a new worker, for the broker
settings in the environment (OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS, default 60000, and
OGC_DRAMATIQ_MAINTENANCE_CHANCE, default 100000) over OGC_MEASURE_RUNS kills (3).

A plain ``dramatiq`` worker (one process, one thread) on a private redis-server starts
a message that holds; the test SIGKILLs the worker's process group, starts a new
worker at once and times until the message starts again there. The new worker is the
only client, as on a quiet system: each of its idle consumers polls about once a second,
and each poll of the message's queue runs the maintenance that requeues a dead worker's
messages with the configured chance, once the heartbeat timeout has passed. Recorded in
docs/notifications.md ("Redelivery after a killed worker").
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dramatiq
import pytest

from notifications.tests.live import PrivateRedis, wait_until

pytestmark = pytest.mark.skipif(
    os.environ.get("OGC_MEASURE_REDELIVERY") != "1", reason="a measurement: set OGC_MEASURE_REDELIVERY=1"
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _worker(env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "dramatiq", "tests.faults._redelivery_actor", "--processes", "1", "--threads", "1"]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_redelivery_delay_after_sigkill(monkeypatch):
    heartbeat_ms = int(os.environ.get("OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "60000"))
    chance = int(os.environ.get("OGC_DRAMATIQ_MAINTENANCE_CHANCE", "100000"))
    runs = int(os.environ.get("OGC_MEASURE_RUNS", "3"))
    delays = []
    with PrivateRedis() as redis_server, tempfile.TemporaryDirectory() as directory:
        env = {
            "OGC_MEASURE_REDIS_URL": redis_server.url,
            "OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": str(heartbeat_ms),
            "OGC_DRAMATIQ_MAINTENANCE_CHANCE": str(chance),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        stub = dramatiq.get_broker()
        from tests.faults._redelivery_actor import hold  # sets its broker as the global one

        dramatiq.set_broker(stub)
        started = lambda: len(list(Path(directory).glob("started-*")))  # noqa: E731
        hold.send(directory)
        worker = _worker(env)
        try:
            seen = 0
            wait_until(lambda: started() > seen, timeout=60, what="the message to start")
            for _ in range(runs):
                seen = started()
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                killed_at = time.monotonic()
                worker = _worker(env)
                wait_until(lambda seen=seen: started() > seen, timeout=3600, interval=0.1, what="the redelivery")
                delays.append(time.monotonic() - killed_at)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    print(
        f"\nheartbeat {heartbeat_ms} ms, maintenance {chance}/1e6: redelivered after "
        f"{', '.join(f'{d:.1f}' for d in delays)} s (median {statistics.median(delays):.1f} s)"
    )
