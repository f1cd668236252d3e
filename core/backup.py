"""Logical backups of the MariaDB/MySQL database and their restore (``manage.py backup``,
``manage.py restore``; the drill and point-in-time recovery: docs/operations.md).

``backup_create`` runs ``mariadb-dump --single-transaction`` (a consistent snapshot of
every InnoDB table without locking writers) with routines, triggers (the journal's
append-only triggers) and events, into a file written beside the target and renamed
into place only when the dump succeeded (``.gz``: gzip). With ``binlog_position`` the
dump records the binary log coordinates and GTID it was taken at (``--master-data=2
--gtid``; needs the RELOAD and BINLOG MONITOR privileges), the starting point of a
point-in-time recovery.

``backup_restore`` loads a dump into a database (created if missing, refused if it
already holds tables, so a restore never lands on live data by mistake).

Credentials go to the client programs in a private defaults file (mode 0600, deleted
afterwards), never on the command line where ``ps`` would show them.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from core.exceptions import ApplicationError

DUMP = ("mariadb-dump", "mysqldump")
CLIENT = ("mariadb", "mysql")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database: str
    size: int


def _program(names: tuple[str, ...]) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise ApplicationError(f"None of {', '.join(names)} is installed (Debian: mariadb-client).", code="missing_client")


def database_settings(alias: str = "default") -> dict:
    connection = connections[alias]
    if connection.vendor != "mysql":
        raise ApplicationError(
            f"Backups are for MariaDB/MySQL; the {alias!r} database is {connection.vendor}.", code="unsupported"
        )
    return connection.settings_dict


@contextlib.contextmanager
def _defaults_file(db: dict) -> Iterator[str]:
    lines = ["[client]", f"user={db['USER']}", f"password={db['PASSWORD']}"]
    if db.get("HOST"):
        lines.append(f"host={db['HOST']}")
    if db.get("PORT"):
        lines.append(f"port={db['PORT']}")
    lines.append("default-character-set=utf8mb4")
    fd, path = tempfile.mkstemp(prefix="ogc-db-", suffix=".cnf")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp: mode 0600
            handle.write("\n".join(lines) + "\n")
        yield path
    finally:
        os.unlink(path)


def _check(process: subprocess.CompletedProcess, what: str) -> None:
    if process.returncode != 0:
        message = process.stderr.decode(errors="replace").strip().splitlines()
        raise ApplicationError(f"{what} failed: {message[-1] if message else f'exit {process.returncode}'}")


def backup_create(*, output: Path, alias: str = "default", binlog_position: bool = False) -> BackupResult:
    """Dump the database of ``alias`` into ``output`` (gzip when it ends in ``.gz``)."""
    db = database_settings(alias)
    output = Path(output)
    if not output.parent.is_dir():
        raise ApplicationError(f"No directory {output.parent}.", field="output")
    args = [
        "--single-transaction",
        "--quick",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--no-tablespaces",
        "--default-character-set=utf8mb4",
    ]
    if binlog_position:
        args += ["--master-data=2", "--gtid"]
    partial = output.with_name(f".{output.name}.partial")
    with _defaults_file(db) as defaults:
        command = [_program(DUMP), f"--defaults-extra-file={defaults}", *args, db["NAME"]]
        with partial.open("wb") as raw:
            if output.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="wb") as zipped:
                    dump = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    assert dump.stdout is not None
                    shutil.copyfileobj(dump.stdout, zipped, 1 << 20)
                    stderr = dump.stderr.read() if dump.stderr else b""
                    dump.wait()
                    process = subprocess.CompletedProcess(command, dump.returncode, b"", stderr)
            else:
                process = subprocess.run(command, stdout=raw, stderr=subprocess.PIPE, check=False)
    try:
        _check(process, "mariadb-dump")
    except ApplicationError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    return BackupResult(path=output, database=db["NAME"], size=output.stat().st_size)


_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def backup_restore(*, source: Path, database: str, alias: str = "default") -> None:
    """Load the dump ``source`` into ``database`` on the server of ``alias``: created
    (utf8mb4) when missing; refused when it already has tables."""
    db = database_settings(alias)
    source = Path(source)
    if not source.is_file():
        raise ApplicationError(f"No file {source}.", field="input")
    if not _NAME.match(database):
        raise ApplicationError(f"Not a database name (letters, digits, _): {database!r}.", field="database")
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS {connection.ops.quote_name(database)} "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", [database])
        (tables,) = cursor.fetchone()
    if tables:
        raise ApplicationError(
            f"The database {database} already has tables; restore into a new or empty one.", field="database"
        )
    with _defaults_file(db) as defaults:
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rb") as dump:
            load = subprocess.Popen(
                [_program(CLIENT), f"--defaults-extra-file={defaults}", database],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert load.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # the client stopped: its error is read below
                shutil.copyfileobj(dump, load.stdin, 1 << 20)
            load.stdin.close()
            stderr = load.stderr.read() if load.stderr else b""
            load.wait()
    _check(subprocess.CompletedProcess(load.args, load.returncode, b"", stderr), "Loading the dump")
