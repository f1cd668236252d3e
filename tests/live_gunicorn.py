"""A real gunicorn serving ``ogc.wsgi`` from a child process, for the fault-injection
tests (``tests/faults/``) and the API benchmark (``bench/api.py``).

The server binds an ephemeral port (``127.0.0.1:0``) and the port is read from its
log, so parallel runs never collide. ``worker_pids()`` lists the worker processes
(children of the master) from ``/proc``, without psutil.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def child_pids(parent: int) -> list[int]:
    """The pids whose parent is ``parent`` (``/proc/<pid>/stat``, field 4)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name (field 2) is in parentheses and may contain spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent:
            found.append(int(entry))
    return sorted(found)


def mysql_url(settings_dict: dict) -> str:
    """A ``DATABASE_URL`` for the database Django is connected to (the test DB)."""
    db = settings_dict
    return f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


class GunicornServer:
    """``gunicorn ogc.wsgi:application`` with ``workers`` sync workers.

    ``env`` is added to this process's environment (settings module, DATABASE_URL...).
    Use as a context manager; the server is stopped (SIGTERM, then SIGKILL) on exit.
    """

    def __init__(
        self,
        *,
        env: dict[str, str],
        workers: int | None = 2,
        config: str | None = None,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        """``config``: a gunicorn config file (e.g. the project's ``gunicorn.conf.py``);
        without one, sync workers with a 30 s timeout. ``workers=None`` keeps the
        config file's number."""
        self.env = {**os.environ, **env}
        self.workers = workers
        self.config = config
        self.extra_args = extra_args
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._log_dir = tempfile.TemporaryDirectory(prefix="ogc-gunicorn-")
        self.log_path = Path(self._log_dir.name) / "gunicorn.log"

    def _args(self) -> list[str]:
        args = [sys.executable, "-m", "gunicorn", "ogc.wsgi:application", "--bind", "127.0.0.1:0"]
        if self.config:
            args += ["--config", self.config]
        else:
            args += ["--worker-class", "sync", "--timeout", "30", "--graceful-timeout", "5", "--log-level", "info"]
        if self.workers:
            args += ["--workers", str(self.workers)]
        return [*args, *self.extra_args]

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> GunicornServer:
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            self._args(),
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log()}")
            match = LISTENING.search(self.log())
            if match and len(self.worker_pids()) >= (self.workers or 1):
                self.port = int(match.group(1))
                self._wait_ready(deadline)
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start within {self.startup_timeout} s:\n{self.log()}")

    def _wait_ready(self, deadline: float) -> None:
        """Until a worker answers (any status): the app is imported and serving."""
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                self.request("GET", "/api/v1/wallet/", timeout=10)
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn accepted no request:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._log_dir.cleanup()

    # --- inspection and requests -------------------------------------------------------

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return child_pids(self.process.pid)

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        assert self.port is not None, "server not started"
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None, timeout=30
    ) -> tuple[int, bytes]:
        """One request on a fresh connection; returns (status, body)."""
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()
