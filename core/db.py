"""Database helpers shared by the write layers."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

from core.exceptions import ApplicationError

P = ParamSpec("P")
R = TypeVar("R")

# MySQL/MariaDB: 1213 = deadlock found, 1205 = lock wait timeout exceeded.
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})


def is_retryable(exc: OperationalError) -> bool:
    code = exc.args[0] if exc.args else None
    return code in RETRYABLE_MYSQL_ERRORS


def retry_on_lock_conflict(attempts: int = 4) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Re-run an atomic service when MariaDB picked it as a deadlock victim or its
    lock wait timed out. The whole transaction was rolled back, so a re-run is
    safe. Inside an outer atomic block nothing can be retried (the outer
    transaction is already dead): the error propagates to whoever owns it."""

    def decorator(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_retryable(exc) or attempt == attempts or connection.in_atomic_block:
                        raise
                    time.sleep(random.uniform(0.005, 0.03) * attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorator


def run_on_mysql(sql: str) -> Callable[..., None]:
    """A ``RunPython`` function that executes ``sql`` on MySQL/MariaDB only (DDL the
    model state cannot express portably, e.g. a column collation SQLite lacks)."""

    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "mysql":
            schema_editor.execute(sql)

    return run


def _in_callers_transaction() -> bool:
    """Whether a caller's atomic block is still open (a test case's own blocks do not
    count: they stand for the autocommit a request or a command runs in)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def run_refusal_hooks(fn: Callable[P, R]) -> Callable[P, R]:
    """Outside a service's ``transaction.atomic``: when the service refuses with an
    ``ApplicationError`` carrying ``on_rollback`` work (an audit entry of the refusal),
    run it after the rollback, unless a caller's transaction is still open (that
    caller runs it once its own block has rolled back: ``run_admin_action``)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ApplicationError as exc:
            if exc.on_rollback is not None and not _in_callers_transaction():
                exc.run_on_rollback()
            raise

    return wrapper
