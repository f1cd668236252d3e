"""Input and output shapes of the wallet API. Amounts travel as decimal strings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Context, Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.exceptions import ApplicationError
from core.serializers import StrictInputSerializer
from wallets.models import (
    AMOUNT_DECIMAL_PLACES,
    AMOUNT_MAX_DIGITS,
    Chain,
    Direction,
    Transaction,
    Wallet,
    WalletAddress,
)
from wallets.services import validate_amount


@extend_schema_field(OpenApiTypes.STR)
class AmountInputField(serializers.Field):
    """A positive decimal string (``"12.5"``) or a JSON integer. JSON numbers with a
    fraction are refused: a float cannot carry 18 exact decimal places, so
    accepting ``0.1`` would mean accepting ``0.1000000000000000055...``.
    ``wallets.services.validate_amount`` is the one validator (the services call
    it again); a refusal here is a 400 that writes nothing."""

    default_error_messages = {
        "float": 'Send amounts as decimal strings (e.g. "12.5"), not JSON numbers with a fraction.',
        "invalid": "Enter a valid decimal amount.",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            return validate_amount(data)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None

    def to_representation(self, value: Any) -> str:
        return str(value)


def _amount_out(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


class UserRefInputMixin(serializers.Serializer):
    """Operators name the wallet's owner by ``user_id`` or ``email`` (exactly one)."""

    user_id = serializers.IntegerField(required=False, min_value=1)
    email = serializers.EmailField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_id" in attrs) == ("email" in attrs):
            raise serializers.ValidationError({"user_id": ["Give exactly one of user_id or email."]})
        return attrs


# --- inputs -----------------------------------------------------------------------------


class AmountInputSerializer(StrictInputSerializer):
    amount = AmountInputField()


class WithdrawalInputSerializer(StrictInputSerializer):
    amount = AmountInputField()
    address_id = serializers.IntegerField(min_value=1)


class AddressInputSerializer(StrictInputSerializer):
    chain = serializers.ChoiceField(choices=Chain.choices, default=Chain.ETHEREUM)
    address = serializers.CharField(max_length=100)
    label = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class DepositInputSerializer(UserRefInputMixin, StrictInputSerializer):
    amount = AmountInputField()
    external_reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    memo = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AdjustmentInputSerializer(UserRefInputMixin, StrictInputSerializer):
    amount = AmountInputField()
    # The full choice set keeps one schema enum; the service refuses "internal" (400 on the field).
    direction = serializers.ChoiceField(choices=Direction.choices)
    reason = serializers.CharField(max_length=500)


class WithdrawalApproveInputSerializer(StrictInputSerializer):
    external_reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class WithdrawalRejectInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=400)


# --- outputs -----------------------------------------------------------------------------


class WalletOutputSerializer(serializers.ModelSerializer):
    available = _amount_out()
    staked = _amount_out()
    held = _amount_out()
    total = _amount_out(read_only=True)

    class Meta:
        model = Wallet
        fields = ["token_symbol", "available", "staked", "held", "total", "deposit_address", "updated_at"]
        read_only_fields = fields


class TransactionOutputSerializer(serializers.ModelSerializer):
    # Blank on rows that are not withdrawals: "" is part of the documented enum.
    chain = serializers.ChoiceField(choices=Chain.choices, allow_blank=True, read_only=True)
    amount = _amount_out()
    available_after = _amount_out()
    staked_after = _amount_out()
    held_after = _amount_out()

    class Meta:
        model = Transaction
        fields = [
            "id",
            "kind",
            "status",
            "direction",
            "amount",
            "available_after",
            "staked_after",
            "held_after",
            "memo",
            "status_reason",
            "external_reference",
            "chain",
            "destination_address",
            "available_at",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


# --- list items without a serializer -----------------------------------------------------
# Lists of 25-100 rows spend most of their time in DRF's per-field machinery and in
# model instances (docs/performance.md, "API throughput"). Their items are built from
# ``.values()`` by the functions below instead; each one returns exactly what its
# serializer returns for the same row (wallets/tests/api/test_list_items.py checks them
# field by field), and the serializer stays the schema (``extend_schema``/``serializer_class``).

_AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMAL_PLACES)
_AMOUNT_CONTEXT = Context(prec=AMOUNT_MAX_DIGITS)


def amount_out(value: Decimal | None) -> str | None:
    """An amount as ``_amount_out()`` renders it: 18 places, never an exponent
    (``"12.500000000000000000"``); None as a serializer renders a null attribute."""
    if value is None:
        return None
    return f"{value.quantize(_AMOUNT_QUANTUM, context=_AMOUNT_CONTEXT):f}"


def datetime_out(value: datetime | None, tz: tzinfo) -> str | None:
    """A datetime as DRF's ``DateTimeField`` renders it: ISO 8601 in ``tz`` (pass
    ``timezone.get_current_timezone()``, read once per list), ``Z`` for UTC."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


#: The columns ``transaction_items`` reads: the serializer's fields, in its order.
TRANSACTION_FIELDS: tuple[str, ...] = tuple(TransactionOutputSerializer.Meta.fields)


def transaction_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``.values(*TRANSACTION_FIELDS)`` rows as ``TransactionOutputSerializer(many=True)`` renders them."""
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "status": row["status"],
            "direction": row["direction"],
            "amount": amount_out(row["amount"]),
            "available_after": amount_out(row["available_after"]),
            "staked_after": amount_out(row["staked_after"]),
            "held_after": amount_out(row["held_after"]),
            "memo": row["memo"],
            "status_reason": row["status_reason"],
            "external_reference": row["external_reference"],
            "chain": row["chain"],
            "destination_address": row["destination_address"],
            "available_at": datetime_out(row["available_at"], tz),
            "created_at": datetime_out(row["created_at"], tz),
            "completed_at": datetime_out(row["completed_at"], tz),
        }
        for row in rows
    ]


class OpsTransactionOutputSerializer(TransactionOutputSerializer):
    user_id = serializers.IntegerField(read_only=True)
    user_email = serializers.EmailField(source="user.email", read_only=True)
    wallet_id = serializers.IntegerField(read_only=True)

    class Meta(TransactionOutputSerializer.Meta):
        fields = [*TransactionOutputSerializer.Meta.fields, "user_id", "user_email", "wallet_id"]
        read_only_fields = fields


class AddressOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WalletAddress
        fields = ["id", "chain", "address", "label", "created_at"]
        read_only_fields = fields
