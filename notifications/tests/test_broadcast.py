"""broadcast(): chunked bulk fan-out, one message per chunk and channel."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.exceptions import NotFoundError
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from notifications.services import broadcast, preferences_update


def _queue_size(broker) -> int:
    queue = broker.queues.get("notifications")
    return 0 if queue is None else queue.qsize()


@pytest.mark.django_db
def test_broadcast_reaches_every_active_user_in_chunks(broker, django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(24)
    UserFactory(is_active=False)
    preferences_update(user=users[0], changes=[("announcement", "email", False)])
    preferences_update(user=users[1], changes=[("announcement", "email", False), ("announcement", "in_app", False)])
    active = User.objects.filter(is_active=True).count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = broadcast(title="Maintenance", body="Tonight 22:00 UTC", chunk_size=10)

    assert created == active - 1  # users[1] turned the kind off everywhere
    assert Notification.objects.filter(kind="announcement").count() == created
    assert not Notification.objects.filter(recipient__is_active=False).exists()
    assert not Notification.objects.filter(recipient=users[1]).exists()
    assert list(Notification.objects.get(recipient=users[0]).deliveries.values_list("channel", flat=True)) == ["in_app"]
    assert NotificationDelivery.objects.count() == 2 * created - 1
    chunks = -(-active // 10)
    assert len(callbacks) == 2 * chunks  # one enqueue per chunk and channel...
    assert _queue_size(broker) == 2 * chunks  # ...each one broker message


@pytest.mark.django_db
def test_broadcast_query_count_does_not_grow_with_users(broker):
    UserFactory.create_batch(5)

    def queries_for_broadcast() -> int:
        with CaptureQueriesContext(connection) as ctx:
            broadcast(title="t", body="b", chunk_size=1000)
        return len(ctx)

    few = queries_for_broadcast()
    UserFactory.create_batch(40)
    assert queries_for_broadcast() == few


@pytest.mark.django_db
def test_broadcast_to_a_group(broker):
    group = Group.objects.create(name="beta-testers")
    members = UserFactory.create_batch(3)
    group.user_set.add(*members)
    UserFactory.create_batch(2)
    assert broadcast(title="Beta", body="b", group_name="beta-testers") == 3
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {u.pk for u in members}
    assert Notification.objects.first().data["broadcast"]
    with pytest.raises(NotFoundError):
        broadcast(title="x", body="b", group_name="no-such-group")


@pytest.mark.django_db(transaction=True)
def test_broadcast_is_delivered_by_the_worker(broker, worker, settings):
    settings.OGC_NOTIFICATION_EMAIL_LOCK_BATCH = 4  # several lock batches per message
    UserFactory.create_batch(12)
    created = broadcast(title="Hello all", body="b", chunk_size=5)
    broker.join("notifications", fail_fast=True)
    worker.join()
    assert len(mail.outbox) == created == User.objects.count()
    assert set(NotificationDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == created
