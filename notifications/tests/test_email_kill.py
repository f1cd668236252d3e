"""Fault injection: 500 emails through real ``manage.py rundramatiq`` workers on a
private broker (once a private ``redis-server``, once a private RabbitMQ virtual host:
``private_broker``), to a real SMTP server (``SmtpSink``, counting Message-IDs), while the
test SIGKILLs the whole worker (master and children) twice mid-burst and starts a new
one each time; then the relay (``requeue_notifications``) runs.

At most once: no Message-ID reaches the server twice; every email row ends ``sent``
(and the server has it) or ``failed`` with an "outcome unknown" reason (the email in
flight on a killed worker thread: at most one per thread per kill). The test counts
how many of those the server had in fact accepted, and times the redelivery.

Knobs for measuring the production defaults by hand (the run then takes minutes):
OGC_KILL_TEST_HEARTBEAT_MS, OGC_KILL_TEST_MAINTENANCE_CHANCE, OGC_KILL_TEST_CLAIM_SECONDS.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import User
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.services import broadcast
from notifications.tests.live import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

EMAILS = 500
THREADS = 2
KILL_AT = (100, 300)  # accepted emails at which the running worker is killed
HEARTBEAT_MS = int(os.environ.get("OGC_KILL_TEST_HEARTBEAT_MS", "3000"))
MAINTENANCE_CHANCE = os.environ.get("OGC_KILL_TEST_MAINTENANCE_CHANCE", "1000000")
CLAIM_SECONDS = float(os.environ.get("OGC_KILL_TEST_CLAIM_SECONDS", "2"))
#: How long the test waits for a killed worker's messages to come back.
REDELIVERY_TIMEOUT = 30 + 3 * HEARTBEAT_MS / 1000 + CLAIM_SECONDS


def _message_ids() -> dict[int, str]:
    rows = NotificationDelivery.objects.filter(channel="email").values_list("pk", "notification_id")
    return {pk: f"<notification-{notification_id}.{pk}@ogc.local>" for pk, notification_id in rows}


def _open_claims() -> set[int]:
    return set(
        NotificationDelivery.objects.filter(
            channel="email", status=DeliveryStatus.QUEUED, claim_token__isnull=False
        ).values_list("pk", flat=True)
    )


def _pending() -> int:
    return NotificationDelivery.objects.filter(status=DeliveryStatus.QUEUED).count()


def test_sigkilled_email_workers_send_nothing_twice(private_broker, smtp_sink, worker_pool, point_actors_at, settings):
    began = time.monotonic()
    settings.OGC_NOTIFICATION_CLAIM_SECONDS = CLAIM_SECONDS
    smtp_sink.delay = 0.015  # the relay's answer takes a while: kills land between accept and 250
    workers = worker_pool(
        private_broker,
        env={
            "OGC_TEST_SMTP_PORT": str(smtp_sink.port),
            "OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": str(HEARTBEAT_MS),
            "OGC_DRAMATIQ_MAINTENANCE_CHANCE": MAINTENANCE_CHANCE,
            "OGC_NOTIFICATION_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "OGC_NOTIFICATION_EMAIL_LOCK_BATCH": "10",
        },
    )
    point_actors_at(private_broker)
    User.objects.bulk_create([User(email=f"kill{i}@example.test", password="!") for i in range(EMAILS)])
    # 20 messages of 25 ids per channel, enqueued on commit; the worker starts after.
    assert broadcast(title="Kill test", body="Hello", chunk_size=25) == EMAILS
    message_ids = _message_ids()
    assert len(message_ids) == EMAILS

    kills: list[dict] = []
    process = workers.start(threads=THREADS)
    try:
        for threshold in KILL_AT:
            wait_until(
                lambda threshold=threshold: len(smtp_sink.accepted) >= threshold,
                timeout=60,
                interval=0.02,
                what=f"{threshold} accepted emails",
            )
            workers.kill(process)
            kills.append({"accepted": len(smtp_sink.accepted), "claims": _open_claims(), "at": time.monotonic()})
            process = workers.start(threads=THREADS)
        # The dead workers' messages come back after the heartbeat timeout; their expired
        # claims are reconciled by the redelivered messages, the rest is sent.
        for kill in kills:
            wait_until(
                lambda kill=kill: not (kill["claims"] & _open_claims()),
                timeout=REDELIVERY_TIMEOUT,
                what="the dead worker's claims to be reconciled",
            )
            kill["reconciled_after"] = time.monotonic() - kill["at"]
        wait_until(lambda: _pending() == 0, timeout=REDELIVERY_TIMEOUT, what="every delivery to be settled")
    except AssertionError:
        print(workers.logs()[-5000:])
        raise
    call_command("requeue_notifications", minutes=0)  # the cron relay: nothing left to do
    time.sleep(1)
    assert _pending() == 0
    workers.stop(process)

    counts = Counter(smtp_sink.accepted)
    assert [mid for mid, n in counts.items() if n > 1] == [], "an email reached the mail server twice"
    assert set(counts) <= set(message_ids.values())
    rows = {row.pk: row for row in NotificationDelivery.objects.filter(channel="email")}
    sent = {pk for pk, row in rows.items() if row.status == DeliveryStatus.SENT}
    unknown = {pk for pk, row in rows.items() if row.outcome_unknown}
    assert sent | unknown == set(rows), {pk: row.status for pk, row in rows.items() if pk not in sent | unknown}
    assert all(message_ids[pk] in counts for pk in sent)
    assert all(rows[pk].attempts == 1 for pk in sent | unknown)
    assert all(rows[pk].last_error.startswith("Send outcome unknown") for pk in unknown)
    assert len(unknown) <= THREADS * len(KILL_AT)
    assert all(kill["accepted"] < EMAILS for kill in kills), "a kill came after the burst: nothing was tested"
    assert not NotificationDelivery.objects.filter(channel="in_app").exclude(status=DeliveryStatus.SENT).exists()
    delivered_unknown = sum(message_ids[pk] in counts for pk in unknown)
    print(
        f"\n{EMAILS} emails, {len(kills)} kills at {[k['accepted'] for k in kills]} accepted; "
        f"open claims at the kills: {[len(k['claims']) for k in kills]}; "
        f"reconciled {[round(k['reconciled_after'], 1) for k in kills]} s after the kill "
        f"(heartbeat {HEARTBEAT_MS} ms, maintenance {MAINTENANCE_CHANCE}/1e6, claim {CLAIM_SECONDS} s); "
        f"sent {len(sent)}, outcome unknown {len(unknown)} (of which the server had accepted "
        f"{delivered_unknown}, lost {len(unknown) - delivered_unknown}); duplicates 0; "
        f"{time.monotonic() - began:.1f} s"
    )
