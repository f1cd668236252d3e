"""The embedded default's in-process worker: with no broker configured, ``runserver``
drains the stub broker in a background thread so a newcomer needs no Redis."""

from __future__ import annotations

import logging
import os
import sys
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
_started = threading.Event()


def _is_serving_process() -> bool:
    argv = sys.argv
    if "runserver" not in argv:
        return False
    # The autoreloader's parent process only watches files; the child serves.
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def maybe_start_inprocess_worker() -> None:
    if not getattr(settings, "OGC_INPROCESS_WORKER", False) or _started.is_set():
        return
    if not _is_serving_process():
        return
    threading.Thread(target=_run, name="ogc-inprocess-worker", daemon=True).start()
    _started.set()


def import_task_modules() -> None:
    """Import every installed app's ``tasks`` module so its actors are declared."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.tasks"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _run() -> None:
    import dramatiq
    from dramatiq import Worker

    import_task_modules()
    broker = dramatiq.get_broker()
    worker = Worker(broker, worker_threads=2)
    worker.start()
    logger.info("In-process dramatiq worker started on %s", type(broker).__name__)
