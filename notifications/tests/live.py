"""Real workers for the notification tests: a dramatiq Worker draining the stub broker
(``drain``), and real processes: ``manage.py rundramatiq`` workers on the test database
and a real broker (Redis or RabbitMQ, ``brokers.py``), a private ``redis-server``, and
an SMTP sink that counts the Message-IDs it accepted
(fixtures in ``notifications/tests/conftest.py``)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.live_gunicorn import mysql_url


def drain(broker, queue: str = "notifications") -> None:
    """A real dramatiq Worker (its own threads and connections) consumes what is queued
    on ``broker`` (the stub broker of the tests), then stops."""
    from dramatiq import Worker

    worker = Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        broker.join(queue, fail_fast=True)
        worker.join()
    finally:
        worker.stop()


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


class Workers:
    """``manage.py rundramatiq`` processes on the test database, a broker (``broker_url``:
    Redis with its key ``namespace``, or RabbitMQ on the virtual host in the URL) and
    ``notifications/tests/worker_settings.py``; ``env`` adds to their environment."""

    def __init__(self, *, broker_url: str, namespace: str, mail_dir: Path, log_dir: Path, env: dict | None = None):
        self.broker_url = broker_url
        self.namespace = namespace
        self.mail_dir = mail_dir
        self.log_dir = log_dir
        self.env = dict(env or {})
        self.processes: list[subprocess.Popen] = []

    def start(self, *, email_delay: float = 0.0, threads: int = 1) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
            "DATABASE_URL": mysql_url(connection.settings_dict),
            "DRAMATIQ_BROKER_URL": self.broker_url,
            "OGC_TEST_REDIS_NAMESPACE": self.namespace,
            "OGC_TEST_EMAIL_DIR": str(self.mail_dir),
            "OGC_TEST_EMAIL_DELAY": str(email_delay),
            **self.env,
        }
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", str(threads)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches only its processes
        )
        process.log = log
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the master and its worker processes at once (a machine or container
        dying): no graceful requeue, no transaction commit."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.log.close()

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the dramatiq master forwards it and waits
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        process.log.close()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                self.stop(process)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))


class PrivateRedis:
    """A throw-away ``redis-server`` on a unix socket (no port to collide on, no
    persistence); ``url`` is its address."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="ogc-redis-"))
        self.socket = self.directory / "redis.sock"
        self.url = f"unix://{self.socket}?db=0"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", str(self.socket), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.socket.exists, timeout=10, interval=0.05, what="redis-server to listen")
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class SmtpSink:
    """A minimal SMTP server in a thread of the test process. When a message's DATA
    ends it records the message's Message-ID in ``accepted`` (the message is accepted),
    waits ``delay`` seconds, then answers 250: a client killed during that wait never
    learns that its email went out, as with a real relay."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.accepted: list[str] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SmtpSink:
        ready = threading.Event()

        def serve() -> None:
            loop = self._loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        assert ready.wait(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._converse(reader, writer)
        except ConnectionError:
            pass  # a killed client
        finally:
            writer.close()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 end with <CRLF>.<CRLF>\r\n")
                await writer.drain()
                message_id = await self._read_message(reader)
                if message_id is None:
                    return  # the client died before the end of DATA: nothing accepted
                self.accepted.append(message_id)
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(b"250 accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                writer.write(b"250 ok\r\n")
            await writer.drain()

    @staticmethod
    async def _read_message(reader: asyncio.StreamReader) -> str | None:
        message_id, in_headers = "", True
        while True:
            line = await reader.readline()
            if not line:
                return None
            if line == b".\r\n":
                return message_id
            if in_headers:
                if line in (b"\r\n", b"\n"):
                    in_headers = False
                elif line.lower().startswith(b"message-id:"):
                    message_id = line.split(b":", 1)[1].strip().decode()
