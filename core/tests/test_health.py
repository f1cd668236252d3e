"""/healthz and /readyz: liveness asks nothing; readiness names the failed dependency,
goes 503 and back when a real (private) Redis broker stops and starts, and answers
within its deadline when a dependency accepts connections but never replies."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.test import Client, override_settings

from core.health import MigrationsApplied, run_readiness
from notifications.tests.live import wait_until

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_any_dependency(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_with_database_migrations_and_cache():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


def test_readyz_refuses_unsafe_methods():
    assert Client().post("/readyz").status_code == 405
    assert Client().post("/healthz").status_code == 405


def test_migrations_check_reports_unapplied_migrations(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a", False), ("b", False)])
    assert run_readiness({"migrations": MigrationsApplied()}) == {"migrations": "2 migrations not applied"}


class RedisProcess:
    """A private redis-server on a unix socket that the test stops and starts again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.url = f"unix://{self.socket}?db=0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(self.socket), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.socket.exists, timeout=10, interval=0.05, what="redis-server to listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not self.socket.exists(), timeout=10, interval=0.05, what="redis-server to stop")


@pytest.fixture
def redis_process(tmp_path):
    redis = RedisProcess(tmp_path)
    yield redis
    if redis.process is not None and redis.process.poll() is None:
        redis.process.kill()
        redis.process.wait()


def test_readyz_goes_503_naming_the_broker_and_back_when_redis_stops_and_restarts(redis_process):
    redis_process.start()
    with override_settings(DRAMATIQ_BROKER_URL=redis_process.url):
        ready = Client().get("/readyz")
        assert ready.status_code == 200, ready.content
        assert ready.json()["checks"]["broker"] == "ok"

        redis_process.stop()
        down = Client().get("/readyz")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "unavailable"
        assert body["failed"] == ["broker"]
        assert body["checks"]["broker"] == "broker unreachable"
        assert str(redis_process.socket) not in down.content.decode()  # no address in the reason

        redis_process.start()
        again = Client().get("/readyz")
        assert again.status_code == 200, again.content


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word (a hung dependency)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    server.settimeout(0.05)
    yield server.getsockname()[1], server, accepted
    for connection in accepted:
        connection.close()
    server.close()


@override_settings(OGC_READINESS_TIMEOUT_SECONDS=0.5)
def test_readyz_answers_503_within_a_second_when_the_broker_hangs(silent_server):
    port, _server, _accepted = silent_server
    with override_settings(DRAMATIQ_BROKER_URL=f"redis://127.0.0.1:{port}/0"):
        started = time.monotonic()
        response = Client().get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert elapsed < 1.0, f"/readyz took {elapsed:.2f} s with a hung broker"


@override_settings(OGC_READINESS_TIMEOUT_SECONDS=0.5)
def test_readyz_answers_503_within_a_second_when_the_cache_hangs(silent_server):
    """The cache client blocks its thread (no timeouts configured): the deadline still holds."""
    port, _server, _accepted = silent_server
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    with override_settings(CACHES=caches):
        started = time.monotonic()
        response = Client().get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"] == "no answer within 0.5 s"
    assert elapsed < 1.0, f"/readyz took {elapsed:.2f} s with a hung cache"


def test_readyz_checks_a_rabbitmq_broker_by_its_amqp_greeting():
    """The machine's RabbitMQ answers the AMQP protocol header with connection.start."""
    with override_settings(DRAMATIQ_BROKER_URL="amqp://guest:guest@127.0.0.1:5672/"):
        response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == "ok"


def test_readyz_names_the_broker_when_nothing_listens_on_the_amqp_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # a free port: connection refused
    with override_settings(DRAMATIQ_BROKER_URL=f"amqp://guest:guest@127.0.0.1:{port}/"):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "broker unreachable"


@override_settings(OGC_READINESS_TIMEOUT_SECONDS=0.5)
def test_readyz_answers_503_within_a_second_when_the_amqp_broker_hangs(silent_server):
    port, _server, _accepted = silent_server
    with override_settings(DRAMATIQ_BROKER_URL=f"amqp://guest:guest@127.0.0.1:{port}/"):
        started = time.monotonic()
        response = Client().get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "no answer within 0.5 s"
    assert elapsed < 1.0
