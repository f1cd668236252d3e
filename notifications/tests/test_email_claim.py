"""The email claim rule on MariaDB (no mocks of the database or the broker; the mail
server is ``RecordingBackend``): a delivery row is claimed in its own committed
transaction before its email is sent and marked sent right after, so

- two workers racing the same rows send each email once;
- a worker killed after the mail server accepted an email leaves a claim that a
  redelivery leaves alone (nothing is sent twice);
- an expired claim is reconciled at most once: the email that was in flight becomes
  ``failed`` with an "outcome unknown" reason (never resent automatically), the claimed
  emails after it were never attempted and go back to the queue;
- a worker that outlives its lease sends nothing the reconcile gave to another worker.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.delivery import deliver_email
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.services import notify
from notifications.tests.backends import RecordingBackend, SimulatedKill
from notifications.tests.live import drain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recording(settings, broker):
    settings.EMAIL_BACKEND = "notifications.tests.backends.RecordingBackend"
    settings.OGC_NOTIFICATION_EMAIL_LOCK_BATCH = 3
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()


def _email_deliveries(broker, count: int) -> list[int]:
    for _ in range(count):
        notify(user=UserFactory(), kind="announcement", title="Hello", body="b")
    broker.flush_all()  # no worker here: the test delivers by calling the sender
    return list(NotificationDelivery.objects.filter(channel="email").order_by("pk").values_list("pk", flat=True))


def _message_id(pk: int) -> str:
    notification_id = NotificationDelivery.objects.values_list("notification_id", flat=True).get(pk=pk)
    return f"<notification-{notification_id}.{pk}@ogc.local>"


CLAIMED, UNKNOWN = "claimed", "unknown"


def _states(ids: list[int]) -> list[tuple[str, int]]:
    """(state, attempts) per row, where a queued row with a claim is CLAIMED and a
    failed row that kept its claim is UNKNOWN (its claim expired mid-send)."""
    rows = {row.pk: row for row in NotificationDelivery.objects.filter(pk__in=ids)}
    states = []
    for pk in ids:
        row = rows[pk]
        state = row.status
        if row.claim_token is not None and row.status == DeliveryStatus.QUEUED:
            state = CLAIMED
        elif row.outcome_unknown:
            state = UNKNOWN
        states.append((state, row.attempts))
    return states


def _in_thread(target) -> tuple[threading.Thread, dict]:
    """Run ``target`` in a thread with its own database connection (a second worker)."""
    result: dict = {}

    def run() -> None:
        try:
            result["value"] = target()
        except BaseException as exc:  # handed to the test
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _kill_after_first_accept(message) -> None:
    RecordingBackend.after_accept = None
    raise SimulatedKill(message.extra_headers["Message-ID"])


def _killed_after_accept(ids: list[int]) -> None:
    """A worker claims ``ids`` (one batch), the server accepts the first email, and the
    worker dies before it could record that."""
    RecordingBackend.after_accept = _kill_after_first_accept
    with pytest.raises(SimulatedKill):
        deliver_email(delivery_ids=ids)
    connection.close()  # the dead worker's connection goes with it


def _expire_claims(ids: list[int]) -> None:
    NotificationDelivery.objects.filter(pk__in=ids).update(claimed_until=timezone.now() - timedelta(seconds=1))


def test_two_workers_racing_the_same_deliveries_send_each_email_once(recording, broker):
    ids = _email_deliveries(broker, 24)
    recording.after_accept = lambda message: time.sleep(0.003)
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        return deliver_email(delivery_ids=ids)

    runs = [_in_thread(worker) for _ in range(2)]
    for thread, _ in runs:
        thread.join(timeout=60)
    assert all("error" not in result for _, result in runs), [r.get("error") for _, r in runs]
    counts = Counter(recording.accepted)
    assert sorted(counts) == sorted(_message_id(pk) for pk in ids)
    assert set(counts.values()) == {1}
    assert set(_states(ids)) == {(DeliveryStatus.SENT, 1)}
    assert sum(len(result["value"].sent) for _, result in runs) == 24


def test_a_redelivery_leaves_a_live_claim_alone_sends_nothing_twice_and_asks_for_a_retry(recording, broker):
    ids = _email_deliveries(broker, 3)
    _killed_after_accept(ids)
    assert recording.accepted == [_message_id(ids[0])]

    outcome = deliver_email(delivery_ids=ids)  # the broker redelivers the message at once (RabbitMQ)
    assert recording.accepted == [_message_id(ids[0])]
    # Nothing sent; the message is retried later rather than acknowledged with the rows
    # left to the cron relay.
    assert (outcome.sent, outcome.failed, sorted(outcome.retry)) == ([], [], sorted(ids))
    # The claim was committed before the send: the rows are the dead worker's.
    assert _states(ids) == [(CLAIMED, 0)] * 3
    tokens = set(NotificationDelivery.objects.filter(pk__in=ids).values_list("claim_token", flat=True))
    assert len(tokens) == 1 and None not in tokens

    _expire_claims(ids)  # the retry comes once the lease has ended: it reconciles the claim
    retried = deliver_email(delivery_ids=ids)
    assert (retried.unknown, retried.retry) == ([ids[0]], [])
    assert _states(ids) == [(UNKNOWN, 1), (DeliveryStatus.SENT, 1), (DeliveryStatus.SENT, 1)]
    assert Counter(recording.accepted) == Counter({_message_id(pk): 1 for pk in ids})


def test_the_relay_reconciles_an_expired_claim_at_most_once(recording, broker):
    ids = _email_deliveries(broker, 3)
    _killed_after_accept(ids)
    _expire_claims(ids)

    call_command("requeue_notifications")  # cron; its grace period does not apply to expired claims
    unknown = NotificationDelivery.objects.get(pk=ids[0])
    assert (unknown.status, unknown.attempts, unknown.sent_at) == (DeliveryStatus.FAILED, 1, None)
    assert unknown.outcome_unknown and "outcome unknown" in unknown.last_error
    # The rows after the one in flight were never attempted: queued again and enqueued now.
    assert _states(ids[1:]) == [(DeliveryStatus.QUEUED, 0)] * 2
    assert NotificationDelivery.objects.filter(pk__in=ids[1:], claim_token__isnull=True).count() == 2
    drain(broker)
    assert _states(ids) == [(UNKNOWN, 1), (DeliveryStatus.SENT, 1), (DeliveryStatus.SENT, 1)]
    assert Counter(recording.accepted) == Counter({_message_id(pk): 1 for pk in ids})

    call_command("requeue_notifications", minutes=0)  # a second run changes nothing
    drain(broker)
    assert _states(ids)[0] == (UNKNOWN, 1)
    assert len(recording.accepted) == 3


def test_a_redelivery_after_the_lease_reconciles_and_sends_the_rest(recording, broker):
    ids = _email_deliveries(broker, 3)
    _killed_after_accept(ids)
    _expire_claims(ids)

    outcome = deliver_email(delivery_ids=ids)
    assert sorted(outcome.sent) == ids[1:]
    assert _states(ids) == [(UNKNOWN, 1), (DeliveryStatus.SENT, 1), (DeliveryStatus.SENT, 1)]
    assert Counter(recording.accepted) == Counter({_message_id(pk): 1 for pk in ids})


def test_a_worker_that_outlives_its_lease_sends_nothing_given_to_another(recording, broker):
    ids = _email_deliveries(broker, 3)
    first_id = _message_id(ids[0])
    inside, resume = threading.Event(), threading.Event()

    def slow_first_send(message) -> None:
        if message.extra_headers["Message-ID"] == first_id and not inside.is_set():
            inside.set()
            assert resume.wait(timeout=30)

    recording.after_accept = slow_first_send
    slow, slow_result = _in_thread(lambda: deliver_email(delivery_ids=ids))
    assert inside.wait(timeout=30)
    _expire_claims(ids)  # the slow worker's lease runs out while it waits on the server

    other = deliver_email(delivery_ids=ids)  # the redelivered message on another worker
    assert sorted(other.sent) == ids[1:]
    assert _states(ids)[0] == (UNKNOWN, 1)

    resume.set()
    slow.join(timeout=30)
    assert "error" not in slow_result, slow_result
    assert slow_result["value"].sent == [ids[0]]  # it knows its email was accepted
    assert set(_states(ids)) == {(DeliveryStatus.SENT, 1)}
    assert Counter(recording.accepted) == Counter({_message_id(pk): 1 for pk in ids})


def test_a_worker_past_its_lease_returns_the_unsent_rows_to_the_queue(recording, broker, settings):
    settings.OGC_NOTIFICATION_CLAIM_SECONDS = 0.3
    ids = _email_deliveries(broker, 3)
    recording.after_accept = lambda message: time.sleep(0.4)

    outcome = deliver_email(delivery_ids=ids)
    assert (outcome.sent, sorted(outcome.retry)) == ([ids[0]], ids[1:])
    assert _states(ids) == [(DeliveryStatus.SENT, 1), (DeliveryStatus.QUEUED, 0), (DeliveryStatus.QUEUED, 0)]
    assert recording.accepted == [_message_id(ids[0])]
