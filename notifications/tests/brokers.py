"""The real brokers of the live notification tests, each confined to a private space so
that parallel test runs and the machine's other users never share a queue:

- Redis (127.0.0.1:6379, or a private ``redis-server``): a key namespace per test,
  deleted afterwards;
- RabbitMQ (127.0.0.1:5672, guest/guest): a virtual host per test, created with
  ``rabbitmqctl`` (the guest user gets its permissions there) and deleted afterwards
  with its queues.

``BrokerSpace.url`` and ``.namespace`` configure the worker processes
(``worker_settings.py``); ``.make_broker()`` gives the test process a broker on the same
space; ``.unreachable_url`` points at a port where nothing listens (broker down)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import dramatiq
import pika
import redis

REDIS_URL = "redis://127.0.0.1:6379/0"
RABBITMQ_HOST = "127.0.0.1"
RABBITMQ_PORT = 5672
RABBITMQ_CREDENTIALS = "guest:guest"
BROKERS = ("redis", "rabbitmq")


def rabbitmq_url(vhost: str, *, port: int = RABBITMQ_PORT) -> str:
    return f"amqp://{RABBITMQ_CREDENTIALS}@{RABBITMQ_HOST}:{port}/{quote(vhost, safe='')}"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60)


def rabbitmq_unavailable() -> str | None:
    """Why the RabbitMQ variants cannot run here, or None."""
    try:
        connection = pika.BlockingConnection(
            pika.URLParameters(rabbitmq_url("/") + "?connection_attempts=1&socket_timeout=3")
        )
    except Exception as exc:  # any failure means "not reachable"
        return f"RabbitMQ is not reachable on {RABBITMQ_HOST}:{RABBITMQ_PORT} as guest ({exc!r})"
    connection.close()
    if shutil.which("rabbitmqctl") is None:
        return "RabbitMQ answers but rabbitmqctl (to create a private virtual host per test) is not installed"
    return None


@dataclass
class BrokerSpace:
    kind: str  # "redis" or "rabbitmq"
    url: str
    namespace: str  # the Redis key prefix (unused on RabbitMQ: the vhost is the namespace)
    vhost: str = ""

    @classmethod
    def create(cls, kind: str, *, redis_url: str = REDIS_URL) -> BrokerSpace:
        name = f"ogc-test-{uuid.uuid4().hex[:12]}"
        if kind == "redis":
            return cls(kind, redis_url, name)
        _rabbitmqctl("add_vhost", name)
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return cls(kind, rabbitmq_url(name), name, vhost=name)

    @property
    def unreachable_url(self) -> str:
        if self.kind == "redis":
            return f"redis://127.0.0.1:{free_port()}/0"
        return rabbitmq_url(self.vhost, port=free_port())

    def make_broker(self, url: str | None = None) -> dramatiq.Broker:
        """A broker of this process on the space (or on ``url``, e.g. ``unreachable_url``)."""
        url = url or self.url
        if self.kind == "redis":
            from dramatiq.brokers.redis import RedisBroker

            return RedisBroker(url=url, namespace=self.namespace)
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, confirm_delivery=True)

    def delete(self) -> None:
        if self.kind == "rabbitmq":
            with contextlib.suppress(Exception):
                _rabbitmqctl("delete_vhost", self.vhost)
            return
        if not self.url.startswith("redis://"):
            return  # a private redis-server goes away with its process
        client = redis.Redis.from_url(self.url)
        keys = list(client.scan_iter(match=f"{self.namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()
