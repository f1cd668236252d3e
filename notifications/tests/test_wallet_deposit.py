"""A wallet deposit notifies its owner (wallets.services -> notify), delivered by the worker."""

from decimal import Decimal

import pytest
from django.core import mail

from notifications.models import DeliveryStatus, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_wallet_deposit_notifies_the_owner_in_app_and_by_email(user, other_user, broker, worker):
    from wallets.services import deposit_create

    row = deposit_create(user=user, amount=Decimal("12.5"), external_reference="0xabc-notif-test")
    broker.join("notifications", fail_fast=True)
    worker.join()

    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "deposit_credited"
    assert notification.data["amount"] == str(row.amount)
    assert {d.channel: d.status for d in notification.deliveries.all()} == {
        "in_app": DeliveryStatus.SENT,
        "email": DeliveryStatus.SENT,
    }
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "12.5" in mail.outbox[0].body
    assert not Notification.objects.filter(recipient=other_user).exists()

    # The same chain deposit reported again credits and notifies nothing more.
    deposit_create(user=user, amount=Decimal("12.5"), external_reference="0xabc-notif-test")
    broker.join("notifications", fail_fast=True)
    worker.join()
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1
