"""Small helpers of the replication cases."""

from __future__ import annotations

import time

from django.db import connections
from django.test.utils import CaptureQueriesContext

# The router's own probes of a replica, not the app's reads.
PROBES = ("show slave status", "select master_gtid_wait")


def app_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].lower().startswith(PROBES)]


def on(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def database_name() -> str:
    return connections["default"].settings_dict["NAME"]


def wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
