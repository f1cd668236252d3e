"""Operator console for the ledger.

Wallets, transactions and addresses are readable and searchable; nobody (not even
a superuser) can add, edit or delete a ledger row here. Money moves only through
the services: the withdrawal queue (``wallets/admin_queues.py``), the "approve/reject
selected withdrawals" actions and the deposit/adjustment forms call them, and each
writes an audit entry naming the action (``core.audit.audit_record``, written by the
service) in the same transaction.

Amounts are shown one way (``core.admin.amount_html``: thousands separators, no
trailing zeros, signed by their effect on the wallet); members by email and display
name. The transactions list is a big table (``LargeTableAdminMixin``: estimated count,
keyset "Older" links, users prefetched for the page) with a CSV export of any filter.

One module per concern, all registered by importing this package (admin autodiscovery
imports ``wallets.admin``): ``wallet`` (wallets and withdrawal addresses),
``transactions`` (the ledger list, its actions and the money forms), ``journal`` (the
system accounts with the supply report, and the journal entries with their lines) and
``dashboard`` (tiles, chart, search).
"""

from wallets.admin.dashboard import search_ledger, volumes_chart, withdrawals_tile
from wallets.admin.journal import JournalEntryAdmin, LedgerAccountAdmin
from wallets.admin.transactions import (
    ADDRESS_RE,
    HASH_RE,
    ID_RE,
    TRANSACTION_EXPORT_COLUMNS,
    MoneyForm,
    TransactionAdmin,
)
from wallets.admin.wallet import RECENT_ROWS, WalletAddressAdmin, WalletAddressInline, WalletAdmin

__all__ = [
    "ADDRESS_RE",
    "HASH_RE",
    "ID_RE",
    "RECENT_ROWS",
    "TRANSACTION_EXPORT_COLUMNS",
    "JournalEntryAdmin",
    "LedgerAccountAdmin",
    "MoneyForm",
    "TransactionAdmin",
    "WalletAddressAdmin",
    "WalletAddressInline",
    "WalletAdmin",
    "search_ledger",
    "volumes_chart",
    "withdrawals_tile",
]
