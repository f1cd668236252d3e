"""Integrity checks of the wallets' data, run by ``manage.py check_integrity``
(see ``core.integrity``). The ledger sums are ``verify_ledger``'s job."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from core.integrity import describe_rows, register_check


@register_check("wallets.users_without_wallet", "Users who have no wallet (every user must own exactly one).")
def users_without_wallet() -> list[str]:
    missing = get_user_model()._base_manager.filter(wallet__isnull=True)
    return describe_rows(missing, "user {id} ({email}) has no wallet")


@register_check(
    "wallets.negative_balances",
    "Wallets with a negative available, staked or held balance (forbidden by CHECK constraints).",
)
def negative_balances() -> list[str]:
    from wallets.models import Wallet

    negative = Wallet._base_manager.filter(Q(available__lt=0) | Q(staked__lt=0) | Q(held__lt=0))
    return describe_rows(negative, "wallet {id} of user {user_id}: available={available} staked={staked} held={held}")
