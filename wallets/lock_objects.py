"""The row locks of the wallets app, in one place.

Every money path locks the wallet row first (``SELECT ... FOR UPDATE``) and then
re-reads what it depends on, so two requests on one wallet serialise. Several
wallets are always locked in primary-key order so two paths cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from core.rows import select_rows
from wallets.models import Wallet

#: What a money path reads from the locked row: the balances, the owner, the symbol
#: (notifications) and the deposit address (the audit entry's ``str(wallet)``).
#: Timestamps are left out; ``updated_at`` is written by ``save(update_fields=...)``.
LOCKED_WALLET_FIELDS = ("id", "user_id", "token_symbol", "available", "staked", "held", "deposit_address")


def _locked(where: str, params: list[int]) -> list[Wallet]:
    """``SELECT LOCKED_WALLET_FIELDS FROM wallets WHERE <where> ORDER BY id FOR UPDATE`` on
    the raw cursor (the hot path: no query compilation), as deferred Wallet instances."""
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return select_rows(Wallet, LOCKED_WALLET_FIELDS, f"{where} ORDER BY {{id}}{suffix}", params)


def wallet_for_update(*, user_id: int | None = None, wallet_id: int | None = None) -> Wallet:
    where, key = ("{user_id} = %s", user_id) if user_id is not None else ("{id} = %s", wallet_id)
    wallets = _locked(where, [key]) if key is not None else []
    if not wallets:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return wallets[0]


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
    locked = {w.pk: w for w in _locked("{id} IN (%s, %s)", ids)}
    if len(locked) != 2:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    return locked[first_id], locked[second_id]
