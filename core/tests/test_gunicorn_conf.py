"""gunicorn.conf.py's worker hook: the startup heap is frozen out of the collector."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_a_worker_freezes_its_startup_heap_once_the_app_is_loaded():
    hook = runpy.run_path(str(CONF))["post_worker_init"]
    before = gc.get_freeze_count()
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
