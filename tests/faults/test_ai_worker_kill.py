"""Fault injection: the paid assistant's worker SIGKILLed while the model is answering.

A separate Python process (the worker: ``ai.services.request_run``, what the dramatiq
actor calls) runs a request against the local OpenAI-compatible server, which holds
its answer. Once the server has the call (the request is ``running`` and committed),
the test SIGKILLs the process. Then:

1. the request is still ``running`` and its estimate still held (nothing charged);
2. ``requests_reconcile`` re-queues it and a new run answers: charged once, the rest
   returned;
3. a request whose worker is killed on every attempt is failed by the reconcile job
   with its hold released: never charged, never left holding;
4. ``verify_ledger`` is clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from ai.models import AIRequest, RequestStatus
from ai.services import request_run, requests_reconcile
from ai.tests.assistant_helpers import balances, challenge, feedback_request, member
from ai.tests.protocol_server import ProtocolServer
from tests.live_gunicorn import mysql_url
from wallets.models import Transaction
from wallets.tests.factories import current
from wallets.verification import assert_ledger_clean

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WORKER = "import django; django.setup(); from ai.services import request_run; request_run(request_id={id})"


@pytest.fixture
def server(settings):
    server = ProtocolServer()
    server.start()
    settings.OGC_AI_PROVIDER = "openai_compatible"
    settings.OGC_AI_OPENAI_BASE_URL = f"{server.url}/v1"
    settings.OGC_AI_OPENAI_SEND_CONTENT = True
    settings.OGC_AI_OPENAI_CHAT_MODEL = "toy-chat"
    settings.OGC_AI_OPENAI_TIMEOUT_SECONDS = 60
    settings.OGC_AI_REQUEST_STALE_SECONDS = 60
    settings.OGC_AI_REQUEST_MAX_ATTEMPTS = 2
    yield server
    server.stop()


def _kill_worker_mid_call(server: ProtocolServer, request_id: int) -> None:
    """Start a worker process on the request; SIGKILL it once the model server has the call."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ogc.settings.test",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "OGC_AI_PROVIDER": "openai_compatible",
        "OGC_AI_OPENAI_BASE_URL": f"{server.url}/v1",
        "OGC_AI_OPENAI_SEND_CONTENT": "true",
        "OGC_AI_OPENAI_TIMEOUT_SECONDS": "60",
    }
    calls = len(server.requests)
    server.delay = 30.0  # the model "thinks": the worker waits inside the provider call
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(id=request_id)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(server.requests) == calls:
            assert worker.poll() is None, f"the worker exited early ({worker.returncode})"
            assert time.monotonic() < deadline, "the worker never called the model server"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        server.delay = 0.0


def _later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_killed_worker_leaves_the_hold_and_reconcile_retries_or_releases_it(server):
    users = [member("5"), member("5")]
    ch = challenge()
    retried = feedback_request(users[0], key="kill", ch=ch)

    # 1. Killed mid-call: still running, still held, nothing charged.
    _kill_worker_mid_call(server, retried.pk)
    row = AIRequest.objects.get(pk=retried.pk)
    assert (row.status, row.attempts) == (RequestStatus.RUNNING, 1)
    assert current(row.hold).state == "pending"
    assert balances(users[0]) == (Decimal("5") - row.estimated_cost, row.estimated_cost)

    # 2. The reconcile job re-queues it; the next run answers and charges once.
    assert requests_reconcile(now=_later(2)) == {"retried": 1, "failed": 0}
    done = request_run(request_id=retried.pk)
    assert (done.status, done.attempts) == (RequestStatus.DONE, 2)
    assert Transaction.objects.filter(kind="service_charge", user=users[0]).count() == 1
    assert balances(users[0]) == (Decimal("5") - done.final_cost, Decimal("0"))

    # 3. Killed on every attempt: failed with its hold released, nothing charged.
    abandoned = feedback_request(users[1], key="kill", ch=ch)
    _kill_worker_mid_call(server, abandoned.pk)
    assert requests_reconcile(now=_later(2)) == {"retried": 1, "failed": 0}
    _kill_worker_mid_call(server, abandoned.pk)
    assert requests_reconcile(now=_later(4)) == {"retried": 0, "failed": 1}
    failed = AIRequest.objects.get(pk=abandoned.pk)
    assert (failed.status, failed.error_code, failed.attempts) == (RequestStatus.FAILED, "abandoned", 2)
    assert current(failed.hold).state == "canceled"
    assert not Transaction.objects.filter(kind="service_charge", user=users[1]).exists()
    assert balances(users[1]) == (Decimal("5"), Decimal("0"))
    assert requests_reconcile(now=_later(10)) == {"retried": 0, "failed": 0}

    # 4. The ledger proves it.
    assert_ledger_clean()
