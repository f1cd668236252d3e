"""The ledger bench's smoke run (``BENCH_LEDGER_SHORT=1``): its same-work raw path still
writes ours' rows column by column, every path runs, and the ledger it leaves is
consistent. Timings are not asserted (docs/performance.md holds the measured table)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow


def test_the_ledger_bench_smoke_run():
    if connection.vendor != "mysql":
        pytest.skip("the bench measures MariaDB/MySQL")
    root = Path(__file__).resolve().parent.parent
    name = os.environ.get("OGC_TEST_DATABASE_NAME", "test_ogc")
    env = {**os.environ, "BENCH_LEDGER_SHORT": "1", "BENCH_LEDGER_DB": f"{name}_bench_ledger"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "ledger"], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "same-work raw writes ours' rows: checked column by column" in out
    for operation in ("stake+unstake", "transfer there and back"):
        assert f"{operation}: round trips per second" in out
    assert "no drift" in out
