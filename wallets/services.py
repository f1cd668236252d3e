"""Write layer of the wallets app: the only place balances change."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from wallets.models import Wallet


@transaction.atomic
def wallet_create(*, user) -> Wallet:
    """Create ``user``'s wallet (zero balances, fresh deposit address)."""
    return Wallet.objects.create(user=user, token_symbol=settings.OGC_TOKEN_SYMBOL)
