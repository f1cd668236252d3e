"""Step-up before a withdrawal or a new withdrawal address (issue #17, part 2).

API: the body carries ``password`` (an account without a second factor) or ``mfa_code``
(with one: the password alone is refused); above ``OGC_WITHDRAWAL_MFA_ABOVE`` the
account must have a second factor. Pages: allauth's re-authentication, which then
resumes the refused POST. Every refusal moves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.tests.factories import enrol_totp, login_fresh, step_up, totp_code
from conftest import make_token_client
from core.models import IdempotencyRecord
from wallets.models import Transaction, Wallet, WalletAddress
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/withdrawals/"


def _balances(user):
    wallet = Wallet.objects.get(user=user)
    return wallet.available, wallet.held, Transaction.objects.filter(kind="withdrawal").count()


def _withdraw(client, address, key, amount="10", **proof):
    return client.post(
        URL, {"amount": amount, "address_id": address.pk, **proof}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _refusal(response):
    body = response.json()
    return response.status_code, body["code"], list(body["fields"])


def test_a_withdrawal_needs_the_password_and_a_refusal_releases_the_key():
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    client = make_token_client(member)
    before = _balances(member)

    assert _refusal(_withdraw(client, address, "w-1")) == (403, "step_up_required", ["password"])
    assert _refusal(_withdraw(client, address, "w-1", password="wrong")) == (403, "step_up_failed", ["password"])
    assert _balances(member) == before
    assert not IdempotencyRecord.objects.exists()  # the refusals kept nothing: the key is free

    done = _withdraw(client, address, "w-1", password="correct-horse-battery-42")
    assert done.status_code == 201, done.json()
    assert _balances(member) == (Decimal("90"), Decimal("10"), 1)
    # A retry after a lost answer replays, whatever proof it carries; the fingerprint
    # holds no hash of the password.
    again = _withdraw(client, address, "w-1", password="anything")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert _balances(member) == (Decimal("90"), Decimal("10"), 1)


def test_with_a_second_factor_the_code_is_needed_and_works_once():
    member = funded_user("100")
    secret = enrol_totp(member)
    address = WalletAddressFactory(wallet=member.wallet)
    client = make_token_client(member)
    before = _balances(member)

    password_only = _withdraw(client, address, "m-1", password="correct-horse-battery-42")
    assert _refusal(password_only) == (403, "step_up_required", ["mfa_code"])
    code = totp_code(secret)
    assert _withdraw(client, address, "m-1", mfa_code=code).status_code == 201
    # The same code again, for another withdrawal: refused (each code works once).
    assert _refusal(_withdraw(client, address, "m-2", mfa_code=code)) == (403, "step_up_failed", ["mfa_code"])
    assert _balances(member) == (before[0] - 10, Decimal("10"), 1)
    # A recovery code works once too.
    recovery = Authenticator.objects.get(user=member, type="recovery_codes").wrap().get_unused_codes()[0]
    assert _withdraw(client, address, "m-3", mfa_code=recovery).status_code == 201
    assert _refusal(_withdraw(client, address, "m-4", mfa_code=recovery))[1] == "step_up_failed"
    assert _balances(member) == (before[0] - 20, Decimal("20"), 2)


def test_above_the_threshold_a_withdrawal_needs_a_second_factor(settings):
    settings.OGC_WITHDRAWAL_MFA_ABOVE = Decimal("50")
    member = funded_user("200")
    address = WalletAddressFactory(wallet=member.wallet)
    client = make_token_client(member)
    before = _balances(member)

    refused = _withdraw(client, address, "t-1", amount="50.5", password="correct-horse-battery-42")
    assert _refusal(refused) == (403, "mfa_required", ["mfa_code"])
    assert "above 50 OGC need two-step sign-in" in refused.json()["detail"]
    assert _balances(member) == before
    # At the threshold the password is enough; with a second factor, above it too.
    assert _withdraw(client, address, "t-2", amount="50", **step_up(member)).status_code == 201
    enrol_totp(member)
    assert _withdraw(client, address, "t-3", amount="50.5", **step_up(member)).status_code == 201


def test_a_new_address_needs_the_step_up():
    member = funded_user("0")
    client = make_token_client(member)
    body = {"chain": "ethereum", "address": VALID_ADDRESSES[3]}
    refused = client.post("/api/v1/wallet/addresses/", body, format="json")
    assert _refusal(refused) == (403, "step_up_required", ["password"])
    wrong = client.post("/api/v1/wallet/addresses/", {**body, "password": "nope"}, format="json")
    assert _refusal(wrong) == (403, "step_up_failed", ["password"])
    assert not WalletAddress.objects.exists()
    created = client.post("/api/v1/wallet/addresses/", {**body, **step_up(member)}, format="json")
    assert created.status_code == 201 and created.json()["state"] == "unconfirmed"


def test_the_withdraw_page_asks_to_sign_in_again_then_resumes():
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    client = Client()
    client.force_login(member)  # signed in long ago: no recent re-authentication
    form = {"withdraw-amount": "10", "withdraw-address": address.pk, "withdraw-token": "page-1"}

    asked = client.post("/wallet/withdraw/review/", form)
    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Fwallet%2Fwithdraw%2Freview%2F"
    wrong = client.post(asked["Location"], {"password": "nope"})
    assert wrong.status_code == 200 and "password" in wrong.context["form"].errors
    resumed = client.post(asked["Location"], {"password": "correct-horse-battery-42"})
    # allauth replays the suspended POST: the confirmation page, nothing moved yet.
    assert resumed.status_code == 200 and resumed.templates[0].name == "wallets/confirm.html"
    assert _balances(member) == (Decimal("100"), Decimal("0"), 0)
    assert client.post("/wallet/withdraw/", form).status_code == 302
    assert _balances(member) == (Decimal("90"), Decimal("10"), 1)


def test_the_final_withdraw_post_is_guarded_too():
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    client = Client()
    client.force_login(member)
    form = {"withdraw-amount": "10", "withdraw-address": address.pk, "withdraw-token": "page-2"}
    asked = client.post("/wallet/withdraw/", form)
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Fwallet%2Fwithdraw%2F"
    assert _balances(member) == (Decimal("100"), Decimal("0"), 0)
    done = client.post(asked["Location"], {"password": "correct-horse-battery-42"})
    assert done.status_code == 302 and done["Location"] == "/wallet/"
    assert _balances(member) == (Decimal("90"), Decimal("10"), 1)


def test_the_address_page_asks_to_sign_in_again_then_adds_it():
    member = funded_user("0")
    client = Client()
    client.force_login(member)
    form = {"address-chain": "ethereum", "address-address": VALID_ADDRESSES[2], "address-label": "Cold"}
    asked = client.post("/wallet/addresses/", form)
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Fwallet%2Faddresses%2F"
    assert not WalletAddress.objects.exists()
    done = client.post(asked["Location"], {"password": "correct-horse-battery-42"})
    assert done.status_code == 302 and done["Location"] == "/wallet/"
    assert WalletAddress.objects.get().address == VALID_ADDRESSES[2]


def test_the_withdraw_page_names_the_threshold_to_a_member_without_a_second_factor(settings):
    settings.OGC_WITHDRAWAL_MFA_ABOVE = Decimal("50")
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    client = Client()
    login_fresh(client, member)
    form = {"withdraw-amount": "60", "withdraw-address": address.pk, "withdraw-token": "page-3"}
    for path in ("/wallet/withdraw/review/", "/wallet/withdraw/"):
        refused = client.post(path, form)
        assert refused.status_code == 400, path
        assert refused.context["withdraw_form"].errors["amount"] == [
            "Withdrawals above 50 OGC need two-step sign-in. Set up an authenticator app first."
        ]
    assert _balances(member) == (Decimal("100"), Decimal("0"), 0)


def test_an_expired_step_up_asks_again(settings):
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    client = Client()
    login_fresh(client, member)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # the re-authentication is now too old
    form = {"withdraw-amount": "10", "withdraw-address": address.pk, "withdraw-token": "page-4"}
    asked = client.post("/wallet/withdraw/", form)
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/reauthenticate/")
    assert _balances(member) == (Decimal("100"), Decimal("0"), 0)
