"""Run a function in N threads released together, each on its own DB connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_concurrently(n: int, fn: Callable[[int], Any], *, timeout: float = 600) -> list[Any]:
    """``fn(i)`` in ``n`` threads that start at once (a barrier); returns the
    results in thread order and re-raises the first exception a thread hit (a
    thread must never fail silently). Each thread closes its connections."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads), "a worker thread did not finish"
    return results
