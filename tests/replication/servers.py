"""A private MariaDB primary and replica for the replication and cluster tests
(``tests/replication/``) and ``bench/cluster.py``.

Both servers start from the machine's binaries (``mariadb-install-db`` + ``mariadbd``)
with their own data directories (owned by ``mysql``) under a temporary directory, on
free ports of 127.0.0.1, and replicate with GTID (``MASTER_USE_GTID=slave_pos``). The
machine's own server (3306) is never touched. ``MariaDBPair.stop()`` shuts both down and
removes their files.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

APP_USER = "ogc"
APP_PASSWORD = "ogc-repl-password"
REPL_USER = "repl"
REPL_PASSWORD = "repl-password"


def server_binaries() -> tuple[str, str] | None:
    """(mariadb-install-db, mariadbd), or None when the server is not installed."""
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    daemon = (
        shutil.which("mariadbd")
        or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
        or shutil.which("mysqld", path="/usr/sbin:/usr/local/sbin")
    )
    return (install, daemon) if install and daemon else None


def missing_reason() -> str | None:
    """Why the pair cannot start here, or None."""
    if server_binaries() is None:
        return "MariaDB server binaries (mariadb-install-db, mariadbd) are not installed"
    try:
        pwd.getpwnam("mysql")
    except KeyError:
        return "there is no 'mysql' system user to own the servers' data directories"
    if os.geteuid() != 0:
        return "starting private MariaDB servers needs root (mariadbd --user=mysql)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    server_id: int
    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket(self) -> Path:
        return self.root / "mysqld.sock"

    def install(self, install_db: str) -> None:
        self.root.mkdir(parents=True)
        subprocess.run(
            [
                install_db,
                "--user=mysql",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ],
            check=True,
            capture_output=True,
        )
        shutil.chown(self.root, "mysql", "mysql")

    def start(self, daemon: str, *extra: str) -> None:
        log = open(self.root / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [
                daemon,
                "--no-defaults",
                "--user=mysql",
                f"--datadir={self.datadir}",
                f"--socket={self.socket}",
                f"--pid-file={self.root / 'mysqld.pid'}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                f"--server-id={self.server_id}",
                f"--log-bin={self.root / 'binlog'}",
                "--binlog-format=ROW",
                "--gtid-strict-mode=1",
                "--log-slave-updates=1",
                "--innodb-buffer-pool-size=64M",
                "--innodb-flush-log-at-trx-commit=2",
                "--sync-binlog=0",
                # The ledger's migrations create triggers: with a binary log MariaDB asks for
                # SUPER of their creator unless this is on (docs/scaling.md).
                "--log-bin-trust-function-creators=1",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                "--max-connections=300",
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up:\n{self.log()}")
            if self.socket.exists() and self.sql("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start within 60 s:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def sql(self, statement: str, *, check: bool = True) -> subprocess.CompletedProcess:
        """Run SQL as root over the server's socket (tab-separated output, no headers)."""
        return subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B", "-e", statement],
            check=check,
            capture_output=True,
            text=True,
        )

    def value(self, statement: str) -> str:
        return self.sql(statement).stdout.strip()

    def kill(self) -> None:
        """SIGKILL the server (a crashed replica)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None


class MariaDBPair:
    """A primary and one GTID replica of it. ``url(database)`` / ``replica_url(database)``
    give ``DATABASE_URL`` / ``DATABASE_REPLICA_URLS`` values for the app user."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ogc-mariadb-pair-"))
        os.chmod(self.tmp, 0o755)  # mysql must reach its directories inside
        self.primary = Server("primary", 1, self.tmp / "primary")
        self.replica = Server("replica", 2, self.tmp / "replica")
        self._binaries = server_binaries()

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> MariaDBPair:
        assert self._binaries is not None, missing_reason()
        install_db, daemon = self._binaries
        try:
            for server in (self.primary, self.replica):
                server.install(install_db)
            self.primary.start(daemon)
            # The replica refuses writes from the app (read_only; root may still write).
            self.replica.start(daemon, "--read-only=1")
            self._create_users()
            self._start_replication()
        except BaseException:
            self.stop()
            raise
        return self

    def _create_users(self) -> None:
        # On the primary only: the replica receives them through replication.
        self.primary.sql(
            f"CREATE USER '{REPL_USER}'@'127.0.0.1' IDENTIFIED BY '{REPL_PASSWORD}';"
            f"GRANT REPLICATION SLAVE ON *.* TO '{REPL_USER}'@'127.0.0.1';"
            f"CREATE USER '{APP_USER}'@'127.0.0.1' IDENTIFIED BY '{APP_PASSWORD}';"
            # Its databases, plus what the router reads on a replica (SHOW SLAVE STATUS).
            f"GRANT ALL ON `ogc%`.* TO '{APP_USER}'@'127.0.0.1';"
            f"GRANT ALL ON `test\\_ogc%`.* TO '{APP_USER}'@'127.0.0.1';"
            f"GRANT SLAVE MONITOR ON *.* TO '{APP_USER}'@'127.0.0.1';"
        )

    def _start_replication(self) -> None:
        self.replica.sql(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, "
            f"MASTER_USER='{REPL_USER}', MASTER_PASSWORD='{REPL_PASSWORD}', MASTER_USE_GTID=slave_pos, "
            "MASTER_CONNECT_RETRY=1; START SLAVE;"
        )
        self.wait_caught_up(timeout=60)

    def restart_replica(self) -> None:
        """Start the replica again on its data (after ``replica.kill()``): replication
        resumes from its stored position."""
        assert self._binaries is not None
        self.replica.start(self._binaries[1], "--read-only=1")
        self.wait_caught_up(timeout=60)

    def environ(self) -> dict[str, str]:
        """How a child process reaches this pair (``attach_from_environ``)."""
        return {
            "OGC_REPL_ROOTS": f"{self.primary.root}:{self.replica.root}",
            "OGC_REPL_PORTS": f"{self.primary.port}:{self.replica.port}",
        }

    @classmethod
    def attach_from_environ(cls) -> MariaDBPair:
        """Control a pair started by another process (root SQL over its sockets; this
        object does not own the servers and must not stop them)."""
        pair = cls.__new__(cls)
        primary_root, replica_root = os.environ["OGC_REPL_ROOTS"].split(":")
        primary_port, replica_port = (int(port) for port in os.environ["OGC_REPL_PORTS"].split(":"))
        pair.tmp = Path(primary_root).parent
        pair.primary = Server("primary", 1, Path(primary_root), primary_port)
        pair.replica = Server("replica", 2, Path(replica_root), replica_port)
        pair._binaries = server_binaries()
        return pair

    def stop(self) -> None:
        for server in (self.replica, self.primary):
            with contextlib.suppress(Exception):
                server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> MariaDBPair:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- replication control ------------------------------------------------------------

    def wait_caught_up(self, *, timeout: float = 30) -> None:
        """Until the replica has applied everything the primary has written."""
        position = self.primary.value("SELECT @@gtid_binlog_pos")
        if not position:
            return
        result = self.replica.value(f"SELECT MASTER_GTID_WAIT('{position}', {timeout})")
        if result != "0":
            raise RuntimeError(f"replica did not reach {position} in {timeout} s: {self.slave_status()}")

    def slave_status(self) -> dict[str, str]:
        out = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.replica.socket}", "-uroot", "-E", "-e", "SHOW SLAVE STATUS"],
            capture_output=True,
            text=True,
        ).stdout
        status = {}
        for line in out.splitlines():
            key, sep, value = line.strip().partition(": ")
            if sep:
                status[key] = value
        return status

    def stop_replication(self) -> None:
        self.replica.sql("STOP SLAVE")

    def start_replication(self, *, delay: int = 0) -> None:
        self.replica.sql(f"STOP SLAVE; CHANGE MASTER TO MASTER_DELAY={int(delay)}; START SLAVE")

    # --- URLs -----------------------------------------------------------------------------

    @staticmethod
    def _url(server: Server, database: str) -> str:
        return f"mysql://{APP_USER}:{APP_PASSWORD}@127.0.0.1:{server.port}/{database}"

    def url(self, database: str = "ogc") -> str:
        return self._url(self.primary, database)

    def replica_url(self, database: str = "ogc") -> str:
        return self._url(self.replica, database)
