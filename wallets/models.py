"""Wallet balances. Amounts are DECIMAL(36, 18): 18 fractional digits (the token's
on-chain precision) and up to 10^18 whole tokens; never floats."""

from __future__ import annotations

import secrets
from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

AMOUNT_MAX_DIGITS = 36
AMOUNT_DECIMAL_PLACES = 18
ZERO = Decimal("0")


def AmountField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", AMOUNT_MAX_DIGITS)
    kwargs.setdefault("decimal_places", AMOUNT_DECIMAL_PLACES)
    return models.DecimalField(**kwargs)


def generate_deposit_address() -> str:
    """A fresh EVM-style deposit address (0x + 40 lower-case hex digits)."""
    return "0x" + secrets.token_hex(20)


class Wallet(models.Model):
    """A user's OGC balances. ``available`` can be spent; ``staked`` is locked in
    staking; ``held`` is reserved by pending withdrawals. Changed only by
    ``wallets.services`` under a row lock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # a wallet with a ledger is never deleted with its user
        related_name="wallet",
    )
    token_symbol = models.CharField(max_length=10, default="OGC")
    available = AmountField(default=ZERO)
    staked = AmountField(default=ZERO)
    held = AmountField(default=ZERO)
    deposit_address = models.CharField(max_length=42, unique=True, default=generate_deposit_address)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "wallets"
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="wallet_available_gte_0"),
            models.CheckConstraint(condition=Q(staked__gte=0), name="wallet_staked_gte_0"),
            models.CheckConstraint(condition=Q(held__gte=0), name="wallet_held_gte_0"),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.user_id} ({self.deposit_address})"

    @property
    def total(self) -> Decimal:
        return self.available + self.staked + self.held


auditlog.register(Wallet, exclude_fields=["updated_at"])
