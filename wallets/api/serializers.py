"""Input and output shapes of the wallet API. Amounts travel as decimal strings."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.amounts import EXACT, QUANTUM, AmountSerializerField, amount_out
from core.exceptions import UnprocessableError
from core.serializers import StrictInputSerializer, datetime_out
from core.stepup import step_up_fields
from wallets.models import (
    AddressState,
    Chain,
    Direction,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Wallet,
    WalletAddress,
)
from wallets.services.addresses import EVM_ADDRESS_PATTERN, INVALID_ADDRESS_MESSAGE
from wallets.services.approvals import approvals_needed


class UserRefInputMixin(serializers.Serializer):
    """Operators name the wallet's owner by ``user_id`` or ``email`` (exactly one: both
    or neither is a 422, which the schema, listing both as optional, cannot say)."""

    user_id = serializers.IntegerField(required=False, min_value=1)
    email = serializers.EmailField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_id" in attrs) == ("email" in attrs):
            raise UnprocessableError(gettext("Give exactly one of user_id or email."), code="user_ref", field="user_id")
        return attrs


# --- inputs -----------------------------------------------------------------------------


class AmountInputSerializer(StrictInputSerializer):
    amount = AmountSerializerField()


class WithdrawalInputSerializer(StrictInputSerializer):
    """Step-up (core.stepup): ``password``, or ``mfa_code`` when the account has a second
    factor (always needed above ``OGC_WITHDRAWAL_MFA_ABOVE``)."""

    amount = AmountSerializerField()
    address_id = serializers.IntegerField(min_value=1)

    def get_fields(self):
        return {**super().get_fields(), **step_up_fields()}


class AddressInputSerializer(StrictInputSerializer):
    """Step-up (core.stepup): ``password``, or ``mfa_code`` when the account has a second factor."""

    chain = serializers.ChoiceField(choices=Chain.choices, default=Chain.ETHEREUM)
    # The schema's pattern is the format check (no spaces trimmed: what the schema refuses,
    # the server refuses); a mixed-case address with a wrong EIP-55 checksum matches the
    # pattern and is refused by the service with a 422.
    address = serializers.CharField(
        max_length=42,
        trim_whitespace=False,
        validators=[RegexValidator(EVM_ADDRESS_PATTERN, gettext_lazy(INVALID_ADDRESS_MESSAGE), code="invalid_address")],
    )
    label = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def get_fields(self):
        return {**super().get_fields(), **step_up_fields()}


class DepositInputSerializer(UserRefInputMixin, StrictInputSerializer):
    amount = AmountSerializerField()
    external_reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    memo = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AdjustmentInputSerializer(UserRefInputMixin, StrictInputSerializer):
    amount = AmountSerializerField()
    # The full choice set keeps one schema enum; the service refuses "internal" (400 on the field).
    direction = serializers.ChoiceField(choices=Direction.choices)
    reason = serializers.CharField(max_length=500)


class TransferInputSerializer(StrictInputSerializer):
    recipient = serializers.EmailField(
        max_length=254, help_text="The receiving member's login email (matched whole, case-insensitively)."
    )
    amount = AmountSerializerField()
    memo = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Shown to the receiver."
    )


class WithdrawalApproveInputSerializer(StrictInputSerializer):
    external_reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class WithdrawalRejectInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=400)


# --- outputs -----------------------------------------------------------------------------


class WalletOutputSerializer(serializers.ModelSerializer):
    available = AmountSerializerField()
    staked = AmountSerializerField()
    held = AmountSerializerField()
    total = AmountSerializerField(read_only=True)

    class Meta:
        model = Wallet
        fields = ["token_symbol", "available", "staked", "held", "total", "deposit_address", "updated_at"]
        read_only_fields = fields


class TransactionOutputSerializer(serializers.ModelSerializer):
    """A ledger row read with ``Transaction.objects.with_state()`` (or as a service
    returns it): ``status``, ``completed_at``, ``status_reason`` and ``external_reference``
    are its CURRENT state, derived from its settling journal entry (the row itself is
    never updated; docs/wallets.md, "Two-phase: pending, post, void")."""

    # Blank on rows that are not withdrawals: "" is part of the documented enum.
    chain = serializers.ChoiceField(choices=Chain.choices, allow_blank=True, read_only=True)
    status = serializers.ChoiceField(choices=TransactionStatus.choices, source="state", read_only=True)
    status_reason = serializers.CharField(
        source="state_reason", read_only=True, help_text=Transaction._meta.get_field("status_reason").help_text
    )
    external_reference = serializers.CharField(
        source="state_reference",
        read_only=True,
        allow_null=True,
        help_text=Transaction._meta.get_field("external_reference").help_text,
    )
    completed_at = serializers.DateTimeField(source="state_at", read_only=True, allow_null=True)
    amount = AmountSerializerField()
    available_after = AmountSerializerField()
    staked_after = AmountSerializerField()
    held_after = AmountSerializerField()

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


#: The columns ``transaction_items`` reads (of ``with_state()``): the serializer's
#: fields, in its order, each under its source (``status`` is ``state``...).
TRANSACTION_FIELDS: tuple[str, ...] = tuple(
    TransactionOutputSerializer._declared_fields[name].source
    if name in TransactionOutputSerializer._declared_fields
    and TransactionOutputSerializer._declared_fields[name].source
    else name
    for name in TransactionOutputSerializer.Meta.fields
)


def transaction_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``.values(*TRANSACTION_FIELDS)`` rows as ``TransactionOutputSerializer(many=True)`` renders them."""
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "kind": row["kind"],
            "status": row["state"],
            "direction": row["direction"],
            "amount": amount_out(row["amount"]),
            "available_after": amount_out(row["available_after"]),
            "staked_after": amount_out(row["staked_after"]),
            "held_after": amount_out(row["held_after"]),
            "memo": row["memo"],
            "status_reason": row["state_reason"],
            "external_reference": row["state_reference"],
            "chain": row["chain"],
            "destination_address": row["destination_address"],
            "available_at": datetime_out(row["available_at"], tz),
            "created_at": datetime_out(row["created_at"], tz),
            "completed_at": datetime_out(row["state_at"], tz),
        }
        for row in rows
    ]


class OpsTransactionOutputSerializer(TransactionOutputSerializer):
    user_id = serializers.IntegerField(read_only=True)
    user_email = serializers.EmailField(source="user.email", read_only=True)
    wallet_id = serializers.IntegerField(read_only=True)
    approvals = serializers.SerializerMethodField(
        help_text="Withdrawals: operators' approvals given so far (four-eyes); 0 for other rows."
    )
    approvals_needed = serializers.SerializerMethodField(
        help_text="Withdrawals: approvals it needs to settle (2 above the second-approval threshold); 0 for other rows."
    )

    class Meta(TransactionOutputSerializer.Meta):
        fields = [
            *TransactionOutputSerializer.Meta.fields,
            "user_id",
            "user_email",
            "wallet_id",
            "approvals",
            "approvals_needed",
        ]
        read_only_fields = fields

    def get_approvals(self, obj: Transaction) -> int:
        if obj.kind != TransactionKind.WITHDRAWAL:
            return 0
        count = getattr(obj, "approval_count", None)  # annotated by the list selectors
        return count if count is not None else obj.approvals.count()

    def get_approvals_needed(self, obj: Transaction) -> int:
        return approvals_needed(amount=obj.amount) if obj.kind == TransactionKind.WITHDRAWAL else 0


class AddressOutputSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="unconfirmed: confirm it from the emailed link; cooling_down: usable from usable_from; "
        "ready: withdrawals to it are accepted."
    )
    confirmed_at = serializers.DateTimeField(source="verified_at", read_only=True, allow_null=True)

    class Meta:
        model = WalletAddress
        fields = ["id", "chain", "address", "label", "created_at", "state", "confirmed_at", "usable_from"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": list(AddressState.values)})
    def get_state(self, obj: WalletAddress) -> str:
        return obj.state()


class AddressConfirmInputSerializer(StrictInputSerializer):
    token = serializers.CharField(max_length=1000, help_text="The token of the confirmation link emailed to you.")


#: A sum of amounts in the API: signed (the external balance can be either), any length.
SIGNED_TOTAL_PATTERN = r"^-?[0-9]+\.[0-9]{18}$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": SIGNED_TOTAL_PATTERN})
class SignedTotalField(serializers.Field):
    """A read-only sum of amounts, 18 places like every amount, with its sign."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value.quantize(QUANTUM, context=EXACT):f}"


class RevenueMonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^[0-9]{4}-[0-9]{2}$", help_text="YYYY-MM (UTC).")
    revenue = SignedTotalField()


class SupplyOutputSerializer(serializers.Serializer):
    """``wallets.selectors.Supply``: where every OGC came from and where it is."""

    total = SignedTotalField(help_text="Issued plus net deposited: every OGC on the platform.")
    issued = SignedTotalField(help_text="Minted by the treasury (minus the issuance account).")
    external = SignedTotalField(help_text="Net deposited from the chain (minus the external clearing account).")
    available = SignedTotalField(help_text="Circulating: the members' available balances.")
    staked = SignedTotalField()
    held = SignedTotalField(help_text="Pending withdrawals and cooling-down unstakes.")
    escrowed = SignedTotalField(help_text="Prize escrows of challenges.")
    revenue = SignedTotalField(help_text="Subscription payments and fees.")
    gap = SignedTotalField(help_text="Not accounted for: zero on a consistent ledger (see verify_ledger).")
    revenue_by_month = serializers.SerializerMethodField(
        help_text="Net revenue per calendar month (UTC), the last 12 months, oldest first."
    )

    @extend_schema_field(RevenueMonthSerializer(many=True))
    def get_revenue_by_month(self, supply: Any) -> list[dict[str, str]]:
        return [
            {"month": f"{month:%Y-%m}", "revenue": SignedTotalField().to_representation(amount)}
            for month, amount in self.context.get("revenue_by_month", [])
        ]
