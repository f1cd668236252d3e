"""Safe withdrawal addresses (#17, item 3): a new address is usable only once its owner
confirmed it from the emailed link AND its cool-down ended; adding and removing one
send a security notification nobody can turn off. Through the services, the API and
the pages; every refusal moves nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory, step_up
from core.exceptions import ApplicationError
from notifications.models import Notification, NotificationDelivery, NotificationPreference
from notifications.services import preferences_update
from wallets import services
from wallets.models import AddressState, Transaction, WalletAddress
from wallets.tests.factories import VALID_ADDRESSES, funded_user

pytestmark = pytest.mark.django_db


def _add(user, n=0):
    return services.address_create(user=user, chain="ethereum", address=VALID_ADDRESSES[n], label="Mine")


def _cool_down_over(address):
    WalletAddress.objects.filter(pk=address.pk).update(usable_from=timezone.now() - timedelta(seconds=1))


def _refused(code, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        services.withdrawal_request(**kwargs)
    assert caught.value.code == code
    assert caught.value.field == "address_id"
    return caught.value


def test_a_new_address_needs_the_link_and_the_cool_down_before_a_withdrawal(settings):
    settings.OGC_NEW_ADDRESS_COOLDOWN_HOURS = 24
    member = funded_user("100")
    address = _add(member)
    assert address.state() == AddressState.UNCONFIRMED
    assert address.usable_from == pytest.approx(address.created_at + timedelta(hours=24), abs=timedelta(seconds=5))

    _refused("address_unconfirmed", user=member, amount="10", address_id=address.pk)
    services.address_confirm(user=member, token=services.address_confirm_token(address))
    error = _refused("address_cooling_down", user=member, amount="10", address_id=address.pk)
    assert error.status_code == 409 and "can receive withdrawals from" in error.message
    member.wallet.refresh_from_db()
    assert (member.wallet.available, member.wallet.held) == (Decimal("100"), Decimal("0"))
    assert not Transaction.objects.filter(kind="withdrawal").exists()

    _cool_down_over(address)
    row = services.withdrawal_request(user=member, amount="10", address_id=address.pk)
    assert row.destination_address == address.address


def test_the_link_works_once_for_its_owner_only_and_not_after_the_address_is_re_added(settings):
    member, other = funded_user("1"), UserFactory()
    address = _add(member)
    token = services.address_confirm_token(address)

    for user, bad in ((other, token), (member, token[:-2] + "xx"), (member, "")):
        with pytest.raises(ApplicationError) as caught:
            services.address_confirm(user=user, token=bad)
        assert (caught.value.code, caught.value.status_code) == ("confirmation_invalid", 422)
    services.address_confirm(user=member, token=token)
    with pytest.raises(ApplicationError) as twice:
        services.address_confirm(user=member, token=token)
    assert (twice.value.code, twice.value.status_code) == ("already_confirmed", 409)

    # Removed and added again: the old link names the old address, refused.
    second = _add(member, 1)
    old_token = services.address_confirm_token(second)
    services.address_delete(user=member, address_id=second.pk)
    readded = _add(member, 1)
    with pytest.raises(ApplicationError) as stale:
        services.address_confirm(user=member, token=old_token)
    assert stale.value.code == "confirmation_invalid"
    assert WalletAddress.objects.get(pk=readded.pk).verified_at is None


def test_an_expired_link_is_refused(settings):
    member = funded_user("1")
    address = _add(member)
    token = services.address_confirm_token(address)
    settings.OGC_ADDRESS_CONFIRM_LINK_HOURS = 0
    with pytest.raises(ApplicationError) as caught:
        services.address_confirm(user=member, token=token)
    assert caught.value.code == "confirmation_invalid"


def _delivered(broker, worker):
    broker.join("notifications", fail_fast=True)
    worker.join()


@pytest.mark.django_db(transaction=True)
def test_adding_and_removing_send_a_security_email_nobody_can_turn_off(broker, worker):
    member = funded_user("1")
    with pytest.raises(ApplicationError):
        preferences_update(user=member, changes=[("address_added", "email", False)])
    assert not NotificationPreference.objects.filter(user=member, kind="address_added").exists()

    address = _add(member)
    _delivered(broker, worker)
    added = Notification.objects.get(recipient=member, kind="address_added")
    assert set(NotificationDelivery.objects.filter(notification=added).values_list("channel", flat=True)) == {
        "in_app",
        "email",
    }
    assert "token" not in str(added.data) and "/confirm/" not in added.body  # the link is in the email only
    email = next(m for m in mail.outbox if m.subject == "A withdrawal address was added")
    link = next(word for word in email.body.split() if "/wallet/addresses/confirm/" in word)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert services.address_confirm(user=member, token=token).pk == address.pk

    services.address_delete(user=member, address_id=address.pk)
    _delivered(broker, worker)
    assert Notification.objects.filter(recipient=member, kind="address_removed").count() == 1
    assert any(m.subject == "A withdrawal address was removed" for m in mail.outbox)


def test_the_api_shows_the_state_and_confirms_with_the_token():
    member = funded_user("50")
    client = APIClient()
    client.force_authenticate(member)
    created = client.post(
        "/api/v1/wallet/addresses/",
        {"chain": "ethereum", "address": VALID_ADDRESSES[2], **step_up(member)},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["state"] == "unconfirmed" and created.json()["confirmed_at"] is None
    address = WalletAddress.objects.get(pk=created.json()["id"])

    refused = client.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "5", "address_id": address.pk, **step_up(member)},
        format="json",
        HTTP_IDEMPOTENCY_KEY="w-1",
    )
    assert refused.status_code == 409
    assert (refused.json()["code"], list(refused.json()["fields"])) == ("address_unconfirmed", ["address_id"])

    bad = client.post("/api/v1/wallet/addresses/confirm/", {"token": "nope"}, format="json")
    assert bad.status_code == 422 and bad.json()["code"] == "confirmation_invalid"
    token = services.address_confirm_token(address)
    confirmed = client.post("/api/v1/wallet/addresses/confirm/", {"token": token}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "cooling_down"
    again = client.post("/api/v1/wallet/addresses/confirm/", {"token": token}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"


def test_the_confirmation_page_asks_before_confirming_and_refuses_another_member(client):
    member, other = funded_user("1"), UserFactory()
    address = _add(member)
    url = reverse("wallet_address_confirm", args=[services.address_confirm_token(address)])

    client.force_login(other)
    for page in (client.get(url), client.post(url)):
        assert page.status_code == 404
        assert "not valid for your account" in page.content.decode()

    client.force_login(member)
    shown = client.get(url)
    assert shown.status_code == 200 and "Confirm this address" in shown.content.decode()
    assert address.address in shown.content.decode()
    assert WalletAddress.objects.get(pk=address.pk).verified_at is None  # opening the link changes nothing
    done = client.post(url, follow=True)
    assert done.status_code == 200
    html = done.content.decode()
    assert "confirmed" in html and "usable after the waiting period" in html
    assert WalletAddress.objects.get(pk=address.pk).verified_at is not None
