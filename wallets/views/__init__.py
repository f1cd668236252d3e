"""The wallet page, the money screen: balance tiles with the total, how tokens arrive
(deposit address, its QR code), balances over time, stake / unstake / withdraw with a
"Max" button and a confirmation step, the ledger with filter chips and its CSV export,
withdrawal addresses.

One module per part, re-exported here (``wallets/urls.py`` uses ``views.X``):
``page`` (the wallet page and what it shows), ``money`` (stake, unstake, withdraw:
review, then confirm; canceling a withdrawal), ``operations`` (the three operations
those share), ``history`` (the ledger's filter chips and CSV export) and
``addresses``."""

from wallets.views.addresses import address_add, address_confirm, address_delete
from wallets.views.history import transactions_csv
from wallets.views.money import (
    send,
    send_review,
    stake,
    stake_review,
    unstake,
    unstake_review,
    withdraw,
    withdraw_review,
    withdrawal_cancel,
)
from wallets.views.page import wallet_page

__all__ = [
    "address_add",
    "address_confirm",
    "address_delete",
    "send",
    "send_review",
    "stake",
    "stake_review",
    "transactions_csv",
    "unstake",
    "unstake_review",
    "wallet_page",
    "withdraw",
    "withdraw_review",
    "withdrawal_cancel",
]
