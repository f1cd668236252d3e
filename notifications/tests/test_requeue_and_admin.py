"""The outbox relay (command and actor) and the operator console."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import StaffFactory, UserFactory
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from notifications.services import notify
from notifications.tasks import requeue_notifications
from notifications.tests.live import drain


def _queue_size(broker) -> int:
    queue = broker.queues.get("notifications")
    return 0 if queue is None else queue.qsize()


@pytest.mark.django_db
def test_requeue_command_sends_only_rows_queued_past_the_grace(user, broker, django_capture_on_commit_callbacks):
    # The commit's enqueue is lost (callbacks not run), as when the broker was down.
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify(user=user, kind="security", title="New login", body="b")
    assert _queue_size(broker) == 0

    call_command("requeue_notifications")  # default grace: too fresh
    assert _queue_size(broker) == 0

    NotificationDelivery.objects.update(queued_at=timezone.now() - timedelta(minutes=11))
    before = timezone.now()
    call_command("requeue_notifications")
    assert _queue_size(broker) == 2
    assert all(d.queued_at >= before for d in notification.deliveries.all())  # next run waits again
    call_command("requeue_notifications", minutes=5)
    assert _queue_size(broker) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["0", "-3"])
def test_requeue_command_refuses_a_limit_below_one_in_one_line(limit):
    with pytest.raises(CommandError, match=r"^--limit must be at least 1\.$"):
        call_command("requeue_notifications", "--limit", limit)


@pytest.mark.django_db(transaction=True)
def test_requeue_actor_delivers_lost_rows(user, broker):
    from django.db import transaction

    with transaction.atomic():
        notification = notify(user=user, kind="security", title="New login", body="b")
    assert _queue_size(broker) == 2
    broker.flush_all()  # the broker lost the messages; the rows still say queued
    requeue_notifications.send(0)
    drain(broker)
    assert set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 1


@pytest.fixture
def operator_client(db):
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.force_login(StaffFactory(roles=["operator"]))
    return client


@pytest.mark.django_db
def test_admin_lists_searches_and_filters(operator_client, user):
    notify(user=user, kind="reward_paid", title="Prize!", body="b")
    other = UserFactory(email="someone@example.test")
    notify(user=other, kind="badge_earned", title="Badge!", body="b")
    url = "/admin/notifications/notification/"
    html = operator_client.get(url).content.decode()
    assert "Prize!" in html and "Badge!" in html and "email: queued" in html
    html = operator_client.get(url, {"q": "someone@"}).content.decode()
    assert "Badge!" in html and "Prize!" not in html
    html = operator_client.get(url, {"kind__exact": "reward_paid"}).content.decode()
    assert "Prize!" in html and "Badge!" not in html
    NotificationDelivery.objects.filter(notification__recipient=other, channel="email").update(status="failed")
    html = operator_client.get(url, {"delivery": "failed"}).content.decode()
    assert "Badge!" in html and "Prize!" not in html


@pytest.mark.django_db
def test_admin_stuck_filter_lists_notifications_queued_past_the_grace(operator_client, user):
    stuck = notify(user=user, kind="reward_paid", title="Stuck prize", body="b")
    notify(user=user, kind="badge_earned", title="Fresh badge", body="b")
    sent = notify(user=user, kind="reward_paid", title="Sent prize", body="b")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    stuck.deliveries.filter(channel="email").update(queued_at=an_hour_ago)
    sent.deliveries.update(queued_at=an_hour_ago, status=DeliveryStatus.SENT, sent_at=an_hour_ago)
    html = operator_client.get("/admin/notifications/notification/", {"delivery": "stuck"}).content.decode()
    assert "Stuck prize" in html and "Fresh badge" not in html and "Sent prize" not in html
    assert html.index("email: queued") < html.index("in_app: queued")  # every channel of the row, in order


@pytest.mark.django_db
def test_admin_resend_failed_channels(operator_client, user, broker, django_capture_on_commit_callbacks):
    notification = notify(user=user, kind="reward_paid", title="Prize!", body="b")
    NotificationDelivery.objects.filter(channel="email").update(status="failed", attempts=5, last_error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            "/admin/notifications/notification/",
            {"action": "resend_failed", "_selected_action": [notification.pk]},
        )
    assert response.status_code == 302
    email = notification.deliveries.get(channel="email")
    assert (email.status, email.attempts, email.last_error) == (DeliveryStatus.QUEUED, 0, "boom")
    assert _queue_size(broker) == 1
    assert notification.deliveries.get(channel="in_app").status == DeliveryStatus.QUEUED  # untouched


@pytest.mark.django_db
def test_admin_broadcast_form(operator_client, user, broker):
    assert operator_client.get("/admin/notifications/notification/broadcast/").status_code == 200
    response = operator_client.post(
        "/admin/notifications/notification/broadcast/",
        {"kind": "announcement", "title": "Hello", "body": "Everyone", "group": ""},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(title="Hello").count() >= 1
    assert Notification.objects.filter(title="Hello", recipient=user).exists()


@pytest.mark.django_db
def test_broadcast_form_needs_the_permission(user):
    client = Client()
    client.force_login(StaffFactory())
    assert client.get("/admin/notifications/notification/broadcast/").status_code == 403
    assert not Notification.objects.exists()
