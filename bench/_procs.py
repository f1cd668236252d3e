"""Worker processes for the ledger benches: one process per worker (web workers are
processes; threads would measure the GIL), each with its own connection and its own key
(a user id), all started together behind a barrier and run for the same seconds."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any

Operation = Callable[[], None]


def _worker(make_operation: Callable[[Any], Operation], key: Any, barrier, results, seconds: float) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    operation = make_operation(key)
    operation()  # warm up (connection, caches)
    barrier.wait()
    count, cpu = 0, time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        operation()
        count += 1
    results.put((count, time.process_time() - cpu))
    connections.close_all()


def run_workers(
    make_operation: Callable[[Any], Operation], keys: Sequence[Any], seconds: float, *, label: str
) -> tuple[int, float]:
    """Run ``make_operation(key)()`` in a loop in one forked process per key for
    ``seconds``: (operations done in all, client CPU seconds spent in all)."""
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")  # forked: the factory is not pickled
    barrier, results = ctx.Barrier(len(keys)), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(make_operation, key, barrier, results, seconds)) for key in keys]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=seconds * 10 + 60) for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"{label} worker failed (exit {proc.exitcode})")
    return sum(n for n, _cpu in reports), sum(cpu for _n, cpu in reports)
