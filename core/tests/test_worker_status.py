"""The queue worker's probe: every worker writes a heartbeat to the shared cache when it
boots and then every OGC_WORKER_HEARTBEAT_SECONDS; ``manage.py worker_status`` exits 1
when none is recent."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.queue_middleware import worker_heartbeat_age, worker_heartbeat_write


def test_worker_status_fails_without_a_heartbeat():
    with pytest.raises(CommandError, match="No queue worker has written a heartbeat"):
        call_command("worker_status")


def test_worker_status_fails_when_the_newest_heartbeat_is_too_old():
    worker_heartbeat_write(now=time.time() - 120)
    with pytest.raises(CommandError, match="more than 60 s"):
        call_command("worker_status", max_age=60)


def test_a_running_worker_writes_the_heartbeat_the_probe_reads(worker, capsys):
    # The worker fixture booted a real dramatiq Worker with our middleware.
    age = worker_heartbeat_age()
    assert age is not None and age < 5
    call_command("worker_status", max_age=30)
    assert "A queue worker is alive" in capsys.readouterr().out


def test_worker_status_refuses_a_non_positive_max_age():
    with pytest.raises(CommandError, match="must be positive"):
        call_command("worker_status", max_age=0)
