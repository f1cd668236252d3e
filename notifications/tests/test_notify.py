"""notify(): rows in the caller's transaction, delivery after the commit, idempotent."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from core.exceptions import ApplicationError
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from notifications.services import notify, preferences_update


def _queued_messages(broker) -> int:
    queue = broker.queues.get("notifications")
    return 0 if queue is None else queue.qsize()


@pytest.mark.django_db(transaction=True)
def test_notify_delivers_in_app_and_email_after_commit(user, broker, worker):
    with transaction.atomic():
        notification = notify(
            user=user,
            kind="deposit_credited",
            title="Deposit credited",
            body="100 OGC arrived in your wallet.",
            data={"amount": Decimal("100.000000000000000001")},
            event_id="ledger:test-1",
        )
        assert _queued_messages(broker) == 0  # nothing leaves before the commit
    broker.join("notifications", fail_fast=True)
    worker.join()

    notification.refresh_from_db()
    assert notification.data == {"amount": "100.000000000000000001"}
    states = {d.channel: d for d in notification.deliveries.all()}
    assert set(states) == {"in_app", "email"}
    for delivery in states.values():
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.attempts == 1
        assert delivery.sent_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert mail.outbox[0].subject == "Deposit credited"
    assert "100 OGC arrived" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_writes_and_sends_nothing(user, broker, worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user=user, kind="deposit_credited", title="Deposit", body="x", event_id="ledger:rolled-back")
        raise RuntimeError("the business transaction fails")
    broker.join("notifications", fail_fast=True)
    worker.join()
    assert not Notification.objects.filter(event_id="ledger:rolled-back").exists()
    assert NotificationDelivery.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_same_event_id_returns_the_first_row_and_enqueues_nothing(user, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as first:
        a = notify(user=user, kind="reward_paid", title="Reward", body="b", event_id="reward:9")
    with django_capture_on_commit_callbacks(execute=True) as second:
        b = notify(user=user, kind="reward_paid", title="Reward again", body="b", event_id="reward:9")
    assert a.pk == b.pk and b.title == "Reward"
    assert len(first) == 2  # one enqueue per channel
    assert second == []
    assert Notification.objects.filter(event_id="reward:9").count() == 1
    assert _queued_messages(broker) == 2


@pytest.mark.django_db
def test_preferences_are_honoured(user, broker, django_capture_on_commit_callbacks):
    preferences_update(user=user, changes=[("badge_earned", "email", False), ("badge_earned", "in_app", False)])
    assert notify(user=user, kind="badge_earned", title="Badge", body="b") is None
    preferences_update(user=user, changes=[("badge_earned", "in_app", True)])
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user=user, kind="badge_earned", title="Badge", body="b")
    assert list(notification.deliveries.values_list("channel", flat=True)) == ["in_app"]
    assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.django_db
def test_money_and_security_kinds_cannot_be_turned_off_in_app(user):
    for kind in ("deposit_credited", "withdrawal_approved", "security", "payment_debited"):
        with pytest.raises(ApplicationError) as excinfo:
            preferences_update(user=user, changes=[(kind, "in_app", False)])
        assert excinfo.value.code == "preference_locked"
    preferences_update(user=user, changes=[("deposit_credited", "email", False)])
    notification = notify(user=user, kind="deposit_credited", title="Deposit", body="b")
    assert list(notification.deliveries.values_list("channel", flat=True)) == ["in_app"]


@pytest.mark.django_db
def test_unknown_kind_is_refused(user):
    with pytest.raises(ApplicationError) as excinfo:
        notify(user=user, kind="nonsense", title="t", body="b")
    assert excinfo.value.field == "kind"
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_new_event_costs_two_statements_and_keeps_preferences(
    user, django_assert_num_queries, django_capture_on_commit_callbacks
):
    preferences_update(user=user, changes=[("stake_changed", "email", False)])
    # The notification, then its deliveries with the email opt-out folded in (INSERT ...
    # SELECT ... WHERE NOT EXISTS a turned-off preference; in-app is mandatory).
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(2):
        notification = notify(
            user=user, kind="stake_changed", title="Staking", body="b", event_id="ledger:1:completed", event_is_new=True
        )
    deliveries = list(notification.deliveries.values_list("pk", "channel", "status", "attempts"))
    assert [row[1:] for row in deliveries] == [("in_app", "queued", 0)]
    assert [c.keywords for c in callbacks] == [{"channel": "in_app", "delivery_ids": [deliveries[0][0]]}]
    # Email left on: both channels, each enqueued on commit with its own id.
    with django_capture_on_commit_callbacks() as callbacks:
        both = notify(user=user, kind="deposit_credited", title="D", body="b", event_id="ledger:9:x", event_is_new=True)
    ids = dict(both.deliveries.values_list("channel", "pk"))
    assert sorted(ids) == ["email", "in_app"]
    assert sorted((c.keywords["channel"], c.keywords["delivery_ids"]) for c in callbacks) == [
        ("email", [ids["email"]]),
        ("in_app", [ids["in_app"]]),
    ]
    # A kind the member may turn off entirely keeps the preferences read first.
    preferences_update(user=user, changes=[("announcement", "email", False), ("announcement", "in_app", False)])
    assert notify(user=user, kind="announcement", title="A", body="b", event_id="n:1", event_is_new=True) is None
    # Without the promise: the event-id lookup and a savepoint around the inserts.
    with django_assert_num_queries(6):
        notify(user=user, kind="stake_changed", title="Staking", body="b", event_id="ledger:2:completed")


@pytest.mark.django_db
def test_a_broken_new_event_promise_rolls_the_caller_back(user):
    from django.db import IntegrityError

    notify(user=user, kind="stake_changed", title="Staking", body="b", event_id="ledger:3:completed")
    with pytest.raises(IntegrityError), transaction.atomic():
        notify(user=user, kind="deposit_credited", title="Deposit", body="b", event_id="other:1")
        notify(
            user=user, kind="stake_changed", title="Again", body="b", event_id="ledger:3:completed", event_is_new=True
        )
    assert list(Notification.objects.values_list("event_id", flat=True)) == ["ledger:3:completed"]
    assert NotificationDelivery.objects.count() == 2


@pytest.mark.django_db
def test_the_folded_rows_are_the_rows_the_orm_path_writes(user):
    """Every column of the notification and its deliveries written by the two raw
    INSERTs equals what the ORM path (``_notification_write``) writes."""
    from notifications.folded import notification_write_folded
    from notifications.services import _notification_write

    data = {"amount": "1.5", "nested": {"a": [1, 2]}}
    ours, pairs = notification_write_folded(user, "deposit_credited", "T", "B", data, "ev:1")
    theirs, _deliveries = _notification_write(user, "deposit_credited", "T", "B", data, "ev:2", ["in_app", "email"])

    def columns(model, **filters):
        names = [f.attname for f in model._meta.concrete_fields]
        return list(model.objects.filter(**filters).order_by("channel" if "channel" in names else "pk").values(*names))

    skip = {"id", "event_id", "notification_id", "created_at", "updated_at", "queued_at"}
    strip = lambda rows: [{k: v for k, v in row.items() if k not in skip} for row in rows]  # noqa: E731
    assert strip(columns(Notification, pk=ours.pk)) == strip(columns(Notification, pk=theirs.pk))
    assert strip(columns(NotificationDelivery, notification=ours)) == strip(
        columns(NotificationDelivery, notification=theirs)
    )
    assert sorted(pairs) == sorted(NotificationDelivery.objects.filter(notification=ours).values_list("pk", "channel"))
