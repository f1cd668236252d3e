"""Amounts are parsed strictly at every entry point (issue #13 item 4).

Python's ``Decimal()`` and DRF's ``DecimalField`` accept Unicode digits and strip
whitespace: Arabic-Indic "100" was a deposit of 100, ``" 5 "`` a stake of 5. Every way in
(the API, the wallet page, the operator forms, the challenge and plan admin) now
uses ``core.amounts.parse_amount``: ASCII digits, at most one dot with digits on both
sides, no sign, space or exponent, at most 18 digits on each side of the dot."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import StaffFactory, SuperuserFactory, UserFactory, step_up
from challenges.models import Challenge
from challenges.tests.factories import ChallengeFactory, operator
from conftest import make_token_client
from core.amounts import AMOUNT_PATTERN
from subscriptions.models import Plan
from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

#: Accepted before: non-ASCII digits (Arabic-Indic, full-width, mathematical), spaces
#: around or inside, a sign, an exponent, a dot without digits on one side, separators.
BAD_AMOUNTS = [
    "١٠٠",
    "１２",
    "٣.٥",
    "𝟓",
    " 5 ",
    "\t7\n",
    "5\n",
    "1 000",
    "+5",
    "1e3",
    "5.",
    ".5",
    "1,5",
    "٥",
]


def ledger_state():
    return (
        list(Wallet.objects.order_by("pk").values_list("available", "staked", "held")),
        Transaction.objects.count(),
    )


@pytest.fixture
def member():
    user = funded_user("100")
    services.stake_create(user=user, amount="50")  # something to unstake
    return user


def _api_call(operation: str, user):
    """A function posting an amount to ``operation``; everything else it needs (the
    operator, the address) exists before the caller takes its snapshot."""
    if operation == "deposit":
        client, url = make_token_client(UserFactory(roles=["operator"])), "/api/v1/ops/deposits/"
        body = {"user_id": user.pk}
    elif operation == "withdrawal":
        client, url = make_token_client(user), "/api/v1/wallet/withdrawals/"
        body = {"address_id": WalletAddressFactory(wallet=user.wallet).pk, **step_up(user)}
    else:
        client, url, body = make_token_client(user), f"/api/v1/wallet/{operation}/", {}
    return lambda amount: client.post(url, {**body, "amount": amount}, format="json", HTTP_IDEMPOTENCY_KEY="k")


@pytest.mark.parametrize("bad", BAD_AMOUNTS)
@pytest.mark.parametrize("operation", ["stake", "unstake", "withdrawal", "deposit"])
def test_api_refuses_a_loose_amount_with_a_field_error_and_moves_nothing(member, operation, bad):
    post = _api_call(operation, member)
    before = ledger_state()
    response = post(bad)
    assert response.status_code == 400, (operation, bad, response.json())
    assert list(response.json()["fields"]) == ["amount"]
    assert ledger_state() == before


@pytest.mark.parametrize("bad", ["١٠٠", "٣.٥", " 5 ", "5."])
def test_api_message_names_the_allowed_characters(member, bad):
    response = _api_call("stake", member)(bad)
    assert "digits 0-9" in response.json()["fields"]["amount"][0]


@pytest.mark.parametrize("good", ["12", "0.5", "12.000000000000000001", 3])
def test_api_still_accepts_plain_amounts_and_json_integers(member, good):
    response = _api_call("stake", member)(good)
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["amount"]) == Decimal(str(good))


@pytest.mark.parametrize(("field", "value"), [("prize_pool", "١٠٠"), ("entry_fee", " 1 "), ("prize_split", ["٣٠"])])
def test_challenge_create_api_refuses_a_loose_amount(field, value):
    body = {
        "slug": "strict",
        "title": "Strict",
        "description": "d",
        "starts_at": timezone.now().isoformat(),
        "ends_at": (timezone.now() + timedelta(days=1)).isoformat(),
        "prize_pool": "100",
        field: value,
    }
    response = make_token_client(operator()).post("/api/v1/challenges/", body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()
    assert not Challenge.objects.filter(slug="strict").exists()


# --- pages and admin forms --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["١٠٠", " 5 "])
def test_wallet_page_form_refuses_a_loose_amount(member, bad):
    client = Client()
    client.force_login(member)
    before = ledger_state()
    response = client.post("/wallet/stake/", {"stake-amount": bad, "stake-token": "t1"})
    assert response.status_code == 400
    assert "digits 0-9" in response.context["stake_form"].errors["amount"][0]
    assert ledger_state() == before


@pytest.fixture
def operator_client():
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.force_login(StaffFactory(roles=["operator"]))
    return client


@pytest.mark.parametrize("form", ["deposit", "adjust"])
def test_admin_money_forms_refuse_a_loose_amount(operator_client, member, form):
    before = ledger_state()
    body = {"member": member.pk, "amount": "١٠٠", "reason": "support", "direction": "credit", "token": "t"}
    response = operator_client.post(f"/admin/wallets/transaction/{form}/", body)
    assert response.status_code == 200
    assert "digits 0-9" in response.context["form"].errors["amount"][0]
    assert ledger_state() == before


def _challenge_form(challenge: Challenge, **changes: str) -> dict[str, str]:
    data = {name: getattr(challenge, name) for name in ("slug", "title", "visibility", "max_submissions_per_user")}
    for name in ("starts_at", "ends_at"):
        moment = getattr(challenge, name)
        data |= {f"{name}_0": moment.strftime("%Y-%m-%d"), f"{name}_1": moment.strftime("%H:%M:%S")}
    data |= {"description": "d", "rules": "", "category": "", "tags": "[]", "entry_fee": "0", "prize_pool": "100"}
    data |= {"entry_fee_to": "revenue"}
    return data | {"prize_split": '["50"]'} | changes


@pytest.mark.parametrize(
    ("field", "value"),
    [("prize_pool", "١٠٠"), ("entry_fee", "٣.٥"), ("prize_pool", " 100 "), ("prize_split", '["٥٠"]')],
)
def test_challenge_admin_refuses_a_loose_prize(client, field, value):
    client.force_login(SuperuserFactory())
    challenge = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["50"], entry_fee=Decimal("0"))
    response = client.post(
        f"/admin/challenges/challenge/{challenge.pk}/change/", _challenge_form(challenge, **{field: value})
    )
    assert response.status_code == 200
    assert "digits 0-9" in " ".join(response.context["adminform"].form.errors[field])
    challenge.refresh_from_db()
    assert (challenge.prize_pool, challenge.entry_fee, challenge.prize_split) == (Decimal(100), 0, ["50"])


def test_challenge_admin_still_saves_plain_prizes(client):
    client.force_login(SuperuserFactory())
    challenge = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["50"])
    changes = {"prize_pool": "120.5", "entry_fee": "2", "prize_split": '["70", "50.5"]'}
    response = client.post(f"/admin/challenges/challenge/{challenge.pk}/change/", _challenge_form(challenge, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    challenge.refresh_from_db()
    assert (challenge.prize_pool, challenge.entry_fee) == (Decimal("120.5"), Decimal(2))


def test_plan_admin_refuses_a_loose_price_and_accepts_zero(client):
    client.force_login(SuperuserFactory())
    data = {"code": "gold", "name": "Gold", "description": "", "period_days": "30", "trial_days": "0"}
    data |= {"features": "[]", "is_active": "on", "sort_order": "0"}
    response = client.post("/admin/subscriptions/plan/add/", {**data, "price": "١٠"})
    assert response.status_code == 200
    assert "digits 0-9" in response.context["adminform"].form.errors["price"][0]
    assert not Plan.objects.filter(code="gold").exists()
    assert client.post("/admin/subscriptions/plan/add/", {**data, "price": "0"}).status_code == 302
    assert Plan.objects.get(code="gold").price == 0


# --- the schema ---------------------------------------------------------------------------


def test_schema_amounts_carry_the_parser_pattern():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    amounts = [
        schemas[name]["properties"]["amount"]
        for name in ("AmountInputRequest", "WithdrawalInputRequest", "DepositInputRequest", "AdjustmentInputRequest")
    ]
    create = schemas["ChallengeCreateInputRequest"]["properties"]
    amounts += [create["entry_fee"], create["prize_pool"], create["prize_split"]["items"]]
    amounts += [schemas["WalletOutput"]["properties"]["available"], schemas["PlanOutput"]["properties"]["price"]]
    for schema in amounts:
        assert schema["type"] == "string" and schema["pattern"] == AMOUNT_PATTERN and schema["minLength"] == 1, schema
