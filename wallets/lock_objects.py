"""The row locks of the wallets app, in one place.

Every money path locks the wallet row first (``SELECT ... FOR UPDATE``) and then
re-reads what it depends on, so two requests on one wallet serialise. Several
wallets are always locked in primary-key order so two paths cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from wallets.models import Wallet

#: What a money path reads from the locked row: the balances, the owner, the symbol
#: (notifications) and the deposit address (the audit entry's ``str(wallet)``).
#: Timestamps are left out; ``updated_at`` is written by ``save(update_fields=...)``.
LOCKED_WALLET_FIELDS = ("id", "user_id", "token_symbol", "available", "staked", "held", "deposit_address")


def wallet_for_update(*, user_id: int | None = None, wallet_id: int | None = None) -> Wallet:
    lookup = {"user_id": user_id} if user_id is not None else {"pk": wallet_id}
    wallet = Wallet.objects.select_for_update().only(*LOCKED_WALLET_FIELDS).filter(**lookup).first()
    if wallet is None:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return wallet


def wallets_for_update(*, wallet_ids: Iterable[int]) -> dict[int, Wallet]:
    ids = sorted(set(wallet_ids))
    wallets = {w.pk: w for w in Wallet.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(wallets) != len(ids):
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return wallets


def wallet_balances_for_update(*, wallet_ids: Iterable[int], fields: Iterable[str]) -> list[tuple]:
    """``(pk, *fields)`` of the wallets, locked in primary-key order (``verify_ledger``
    re-checks a suspected drift under the locks the money paths take)."""
    return list(
        Wallet.objects.select_for_update()
        .filter(pk__in=sorted(set(wallet_ids)))
        .order_by("pk")
        .values_list("pk", *fields)
    )


def wallet_pair_for_update(*, first_id: int, second_id: int) -> tuple[Wallet, Wallet]:
    """Two different wallets (a member transfer's sender and recipient), locked in
    primary-key order whichever comes first, returned in the order asked."""
    ids = sorted((first_id, second_id))
    locked = {
        w.pk: w
        for w in Wallet.objects.select_for_update().only(*LOCKED_WALLET_FIELDS).filter(pk__in=ids).order_by("pk")
    }
    if len(locked) != 2:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return locked[first_id], locked[second_id]
