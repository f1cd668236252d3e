"""The ledger lists build their items from ``.values()`` (``transaction_items``), not
with ``TransactionOutputSerializer``: the two must agree on every field of every kind
of row, in every time zone, so the response and its OpenAPI schema never diverge."""

from datetime import timedelta
from decimal import Decimal

import django_filters
import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.tests.factories import UserFactory
from conftest import make_token_client
from core.amounts import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS, amount_out
from wallets import services
from wallets.api.serializers import (
    TRANSACTION_FIELDS,
    TransactionOutputSerializer,
    datetime_out,
    transaction_items,
)
from wallets.api.views import TransactionListApi
from wallets.filters import TransactionFilter
from wallets.models import Transaction
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(settings):
    """A user with a row of every kind and state the API lists: deposit (with and
    without an external reference), stake, unstake (``available_at`` set), withdrawals
    pending / canceled / rejected (reason) / completed (chain, address, ``completed_at``),
    an adjustment, amounts with all 18 places and a near-maximal one."""
    user = funded_user("1000")
    operator = UserFactory(roles=["operator"])
    services.deposit_create(
        user=user, amount=D("123456789012345678.123456789012345678"), actor=operator, external_reference="0xabc"
    )
    services.stake_create(user=user, amount="0.000000000000000001")
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 48  # a pending unstake with ``available_at``
    services.unstake_create(user=user, amount="0.000000000000000001")
    address = WalletAddressFactory(wallet=user.wallet)
    pending = services.withdrawal_request(user=user, amount="1.5", address_id=address.pk)
    canceled = services.withdrawal_request(user=user, amount="2", address_id=address.pk)
    services.withdrawal_cancel(user=user, withdrawal_id=canceled.pk)
    rejected = services.withdrawal_request(user=user, amount="3", address_id=address.pk)
    services.withdrawal_reject(withdrawal_id=rejected.pk, actor=operator, reason="Address flagged.")
    approved = services.withdrawal_request(user=user, amount="4", address_id=address.pk)
    services.withdrawal_approve(withdrawal_id=approved.pk, actor=operator, external_reference="0xdef")
    services.adjustment_create(user=user, amount="0.25", direction="debit", reason="Correction.", actor=operator)
    assert pending.status == "pending"
    return user


def _serialized(queryset):
    return TransactionOutputSerializer(queryset, many=True).data


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns"])
def test_items_equal_the_serializer_field_by_field(ledger, zone):
    rows = Transaction.objects.with_state().filter(user=ledger).order_by("-created_at", "-id")
    assert rows.count() == 9
    assert rows.filter(available_at__isnull=False).exists() and rows.filter(state_at__isnull=True).exists()
    assert rows.filter(state_reference__isnull=True).exists() and rows.exclude(chain="").exists()
    # Settled rows answer their settlement's status, time, reason and payout hash.
    assert rows.filter(state="completed", state_reference="0xdef", state_at__isnull=False, kind="withdrawal").exists()
    assert rows.filter(state="canceled", state_reason="Rejected: Address flagged.").exists()
    with timezone.override(zone):
        expected = _serialized(rows)
        items = transaction_items(rows.values(*TRANSACTION_FIELDS))
    assert [list(item) for item in items] == [list(row) for row in expected]  # same keys, same order
    assert items == [dict(row) for row in expected]


def test_item_fields_are_the_serializer_fields_sources():
    fields = TransactionOutputSerializer().fields
    assert tuple(field.source for field in fields.values()) == TRANSACTION_FIELDS
    assert TRANSACTION_FIELDS[2] == "state"  # the current state, not the written column


@pytest.mark.parametrize(
    "value",
    [
        D("0E-18"),
        D("0"),
        D("12.5"),
        D("0.000000000000000001"),
        D("999999999999999999.999999999999999999"),
        D("1E+3"),
        D("-4.250000000000000000"),
    ],
)
def test_amount_out_is_drf_decimal_field(value):
    field = serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True
    )
    assert amount_out(value) == field.to_representation(value)
    assert amount_out(None) is None


def test_datetime_out_is_drf_datetime_field():
    field = serializers.DateTimeField()
    moment = timezone.now().replace(microsecond=0)
    for zone in ("UTC", "Europe/Paris"):
        with timezone.override(zone):
            for value in (moment, moment + timedelta(microseconds=7), moment.replace(month=1), moment.replace(month=7)):
                assert datetime_out(value, timezone.get_current_timezone()) == field.to_representation(value)
    assert datetime_out(None, timezone.get_current_timezone()) is None


def test_transactions_and_withdrawals_endpoints_answer_the_serializer_output(ledger):
    client = make_token_client(ledger)
    rows = Transaction.objects.with_state().filter(user=ledger).order_by("-created_at", "-id")
    body = client.get("/api/v1/wallet/transactions/", {"page_size": 100}).json()
    assert body["results"] == _serialized(rows)
    body = client.get("/api/v1/wallet/withdrawals/", {"page_size": 100}).json()
    assert body["results"] == _serialized(rows.filter(kind="withdrawal"))
    assert len(body["results"]) == 4


def test_list_filters_and_cursor_pages_with_value_rows(ledger):
    client = make_token_client(ledger)
    rows = Transaction.objects.with_state().filter(user=ledger).order_by("-created_at", "-id")
    seen = []
    url, params = "/api/v1/wallet/transactions/", {"page_size": 3}
    while url:
        body = client.get(url, params).json()
        seen += [item["id"] for item in body["results"]]
        url, params = body["next"], None
    assert seen == list(rows.values_list("id", flat=True))
    pending = client.get("/api/v1/wallet/withdrawals/", {"status": "pending"}).json()["results"]
    assert [item["status"] for item in pending] == ["pending"]
    canceled = client.get("/api/v1/wallet/withdrawals/", {"status": "canceled"}).json()["results"]
    assert sorted(item["status_reason"] for item in canceled) == [
        "Canceled by the owner.",
        "Rejected: Address flagged.",
    ]
    done = client.get("/api/v1/wallet/withdrawals/", {"status": "completed"}).json()["results"]
    assert [(item["external_reference"], item["completed_at"] is not None) for item in done] == [("0xdef", True)]
    assert client.get("/api/v1/wallet/transactions/", {"kind": ""}).status_code == 400  # strict backend still runs
    # An unrelated parameter skips django-filter but filters nothing either way.
    assert client.get("/api/v1/wallet/transactions/", {"page_size": 100, "x": "1"}).json()["results"] == _serialized(
        rows
    )


def test_a_filterset_with_a_required_filter_is_never_skipped(ledger):
    """The no-parameter shortcut of ``ValuesListMixin`` only applies where django-filter
    would filter nothing: a required filter still answers 400 when it is missing."""

    class KindRequired(TransactionFilter):
        kind = django_filters.ChoiceFilter(choices=[("stake", "stake")], required=True)

    view = TransactionListApi.as_view(filterset_class=KindRequired)

    def get(query):
        request = APIRequestFactory().get("/api/v1/wallet/transactions/", query)
        force_authenticate(request, user=ledger)
        return view(request)

    assert get({}).status_code == 400
    response = get({"kind": "stake"})
    assert response.status_code == 200 and [item["kind"] for item in response.data["results"]] == ["stake"]
