import pytest
from django.core import mail

pytestmark = pytest.mark.django_db(transaction=True)


def test_welcome_email_is_sent_by_the_worker(api_client, broker, worker):
    response = api_client.post(
        "/api/v1/auth/signup/", {"email": "welcome@example.test", "password": "a-Long-enough-passphrase-77"}
    )
    assert response.status_code == 201
    broker.join("notifications", fail_fast=True)
    worker.join()
    assert [m.to for m in mail.outbox] == [["welcome@example.test"]]
    message = mail.outbox[0]
    assert "Welcome to OGC NewFinity" in message.subject
    assert response.json()["user"]["wallet"]["deposit_address"] in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    # The welcome email is a notification: in the inbox too, both channels sent.
    from notifications.models import Notification

    notification = Notification.objects.get(recipient__email="welcome@example.test")
    assert notification.kind == "welcome"
    assert sorted(notification.deliveries.values_list("channel", "status")) == [("email", "sent"), ("in_app", "sent")]


def test_nothing_is_queued_when_signup_fails(api_client, broker):
    response = api_client.post("/api/v1/auth/signup/", {"email": "bad@example.test", "password": "1"})
    assert response.status_code == 422
    for queue in ("default", "notifications"):
        assert broker.queues.get(queue) is None or broker.queues[queue].qsize() == 0
