"""The wallet page's "Send tokens": form, review (nothing moves), confirm (moves once),
refusals on their field, and the transfer rows readable in both members' histories."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def alice():
    return _client(funded_user("100", email="alice@example.test", display_name="Alice"))


@pytest.fixture
def bob():
    return funded_user("0", email="bob@example.test", display_name="")


def test_form_review_confirm_and_history(alice, bob):
    page = alice.get("/wallet/")
    html = page.content.decode()
    assert 'data-testid="send-form"' in html and 'action="/wallet/send/review/"' in html
    token = page.context["send_form"].initial["token"]
    data = {"send-recipient": bob.email, "send-amount": "12.5", "send-memo": "for lunch", "send-token": token}
    review = alice.post("/wallet/send/review/", data)
    assert review.status_code == 200
    html = review.content.decode()
    assert not Transaction.objects.filter(kind__startswith="transfer").exists()  # nothing moved
    assert 'data-testid="confirm-recipient">bob@example.test<' in html
    assert 'data-testid="confirm-memo">for lunch<' in html
    assert "87.5 available, 0 staked, 0 held" in html
    assert 'action="/wallet/send/"' in html and f'name="send-token" value="{token}"' in html
    assert "Send 12.5 OGC" in html
    assert alice.post("/wallet/send/", data).status_code == 302
    assert alice.post("/wallet/send/", data).status_code == 302  # the double submit moves nothing more
    assert Wallet.objects.get(user=bob).available == Decimal("12.5")
    assert Transaction.objects.get(kind="transfer_out").idempotency_key == f"page:{token}"
    page = alice.get("/wallet/")
    assert "Sent 12.5 OGC. It is in the other member's wallet now." in [str(m) for m in page.context["messages"]]
    assert "Sent to b…@example.test" in page.content.decode()
    theirs = _client(bob).get("/wallet/").content.decode()
    assert "Received from Alice (a…@example.test)" in theirs and "for lunch" in theirs


def test_refusals_land_on_their_field(alice, bob):
    inactive = UserFactory(is_active=False)
    r = alice.post("/wallet/send/review/", {"send-recipient": bob.email, "send-amount": "101", "send-token": "t1"})
    assert r.status_code == 400 and "amount" in r.context["send_form"].errors
    r = alice.post("/wallet/send/review/", {"send-recipient": "nope", "send-amount": "1", "send-token": "t2"})
    assert r.status_code == 400 and "recipient" in r.context["send_form"].errors
    errors = []
    for i, email in enumerate(["nobody@example.test", inactive.email]):
        r = alice.post("/wallet/send/", {"send-recipient": email, "send-amount": "1", "send-token": f"u{i}"})
        assert r.status_code == 400
        errors.append(r.context["send_form"].errors)
    assert errors[0] == errors[1] and list(errors[0]) == ["recipient"]
    r = alice.post("/wallet/send/", {"send-recipient": alice.user.email, "send-amount": "1", "send-token": "s"})
    assert r.status_code == 400 and r.context["send_form"].errors == {
        "recipient": ["You cannot send tokens to yourself."]
    }
    assert "There is a problem" in r.content.decode()
    assert not Transaction.objects.filter(kind__startswith="transfer").exists()
