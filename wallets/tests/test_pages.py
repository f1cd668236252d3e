"""The wallet page: balances, ledger filters and pagination, forms with inline errors."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import login_fresh
from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user = funded_user("100")
    client = Client()
    login_fresh(client, user)  # withdrawals and new addresses ask for a recent re-authentication
    client.user = user
    return client


def test_login_required(client):
    assert client.get("/wallet/").status_code == 302


def test_page_shows_balances_ledger_and_paginates(member):
    for _ in range(25):
        services.stake_create(user=member.user, amount="1")
    html = member.get("/wallet/").content.decode()
    assert 'data-testid="available">75<' in html and 'data-testid="staked">25<' in html
    assert "Page 1 of 2" in html
    html = member.get("/wallet/", {"kind": "deposit"}).content.decode()
    assert "Page 1 of 1" in html and "+100" in html
    assert member.get("/wallet/", {"page": 2, "kind": "stake"}).status_code == 200
    assert "Invalid filter" in member.get("/wallet/", {"kind": "bogus"}).content.decode()


def test_stake_form_success_and_inline_error(member):
    page = member.get("/wallet/")
    token = page.context["stake_form"].initial["token"]
    r = member.post("/wallet/stake/", {"stake-amount": "10", "stake-token": token})
    assert r.status_code == 302
    # A resend of the same form (same token) moves nothing more.
    member.post("/wallet/stake/", {"stake-amount": "10", "stake-token": token})
    assert Wallet.objects.get(user=member.user).staked == Decimal(10)
    before = Transaction.objects.count()
    r = member.post("/wallet/stake/", {"stake-amount": "1000", "stake-token": "t2"})
    assert r.status_code == 400
    assert r.context["stake_form"].errors == {"amount": ["Insufficient available balance."]}
    assert "Insufficient available balance." in r.content.decode()
    r = member.post("/wallet/unstake/", {"unstake-amount": "NaN", "unstake-token": "t3"})
    assert r.status_code == 400 and "digits 0-9" in r.context["unstake_form"].errors["amount"][0]
    assert Transaction.objects.count() == before


def test_withdraw_cancel_and_addresses(member):
    r = member.post("/wallet/addresses/", {"address-chain": "ethereum", "address-address": "0x1234"})
    assert r.status_code == 400 and "address" in r.context["address_form"].errors
    r = member.post("/wallet/addresses/", {"address-chain": "ethereum", "address-address": VALID_ADDRESSES[2]})
    assert r.status_code == 302
    address = member.user.wallet.addresses.get()
    # A new address: refused on the form until confirmed from the emailed link and cooled down.
    r = member.post(
        "/wallet/withdraw/", {"withdraw-amount": "30", "withdraw-address": address.pk, "withdraw-token": "w0"}
    )
    assert r.status_code == 400 and "Confirm this address" in str(r.context["withdraw_form"].errors["address"])
    services.address_confirm(user=member.user, token=services.address_confirm_token(address))
    address.__class__.objects.filter(pk=address.pk).update(usable_from=address.created_at)
    r = member.post(
        "/wallet/withdraw/", {"withdraw-amount": "30", "withdraw-address": address.pk, "withdraw-token": "w"}
    )
    assert r.status_code == 302
    html = member.get("/wallet/").content.decode()
    assert 'data-testid="held">30<' in html and "pending-withdrawals" in html
    withdrawal = Transaction.objects.get(user=member.user, kind="withdrawal")
    assert member.post(f"/wallet/withdrawals/{withdrawal.pk}/cancel/").status_code == 302
    assert Wallet.objects.get(user=member.user).available == Decimal(100)
    # Another user's withdrawal or address: 404, nothing changes.
    other = funded_user("10")
    foreign_address = WalletAddressFactory(wallet=other.wallet)
    foreign = services.withdrawal_request(user=other, amount="5", address_id=foreign_address.pk)
    assert member.post(f"/wallet/withdrawals/{foreign.pk}/cancel/").status_code == 404
    assert member.post(f"/wallet/addresses/{foreign_address.pk}/delete/").status_code == 404
    r = member.post(
        "/wallet/withdraw/", {"withdraw-amount": "1", "withdraw-address": foreign_address.pk, "withdraw-token": "x"}
    )
    assert r.status_code == 400 and "address" in r.context["withdraw_form"].errors
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    assert member.post(f"/wallet/addresses/{address.pk}/delete/").status_code == 302
