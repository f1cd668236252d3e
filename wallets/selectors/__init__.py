"""Read layer of the wallets app. Every user-facing query is scoped to the user,
so another user's ids are simply not found (404, never 403).

One module per concern, re-exported here (``from wallets.selectors import X`` and
``selectors.X`` are the way to use them): ``lookups`` (a member's own rows, the
ledger's effects and messages), ``stake_history`` (staked at a past instant),
``money_screen`` (balances over time, the month, the export), ``console`` (the
operator console's reads), ``supply`` (the token supply from the journal) and
``transfers`` (who is on the other side of a member transfer)."""

from wallets.selectors.console import (
    REJECTED_PREFIX,
    journal_entries_since,
    ledger_daily_volumes,
    members_ledger_history,
    withdrawal_queue,
    withdrawals_pending_summary,
)
from wallets.selectors.lookups import (
    address_get_for_user,
    address_list_for_user,
    ledger_effect,
    ledger_row_message,
    transaction_get_for_user,
    transaction_list_for_user,
    transaction_state,
    wallet_get_for_user,
    withdrawal_get_for_user,
    withdrawal_list_for_operators,
    withdrawal_list_for_user,
)
from wallets.selectors.money_screen import (
    EXPORT_FIELDS,
    BalancePoint,
    MoneyDay,
    MoneyPeriod,
    balance_series_for_user,
    money_period_for_user,
    transaction_export_for_user,
)
from wallets.selectors.stake_history import staked_balance_at, total_staked_at
from wallets.selectors.supply import SUPPLY_LINES, Supply, revenue_by_month, supply_report, supply_totals
from wallets.selectors.transfers import masked_email, member_label, transfer_counterparts

__all__ = [
    "EXPORT_FIELDS",
    "REJECTED_PREFIX",
    "SUPPLY_LINES",
    "BalancePoint",
    "MoneyDay",
    "MoneyPeriod",
    "Supply",
    "address_get_for_user",
    "address_list_for_user",
    "balance_series_for_user",
    "journal_entries_since",
    "ledger_daily_volumes",
    "ledger_effect",
    "ledger_row_message",
    "masked_email",
    "member_label",
    "members_ledger_history",
    "money_period_for_user",
    "revenue_by_month",
    "staked_balance_at",
    "supply_report",
    "supply_totals",
    "total_staked_at",
    "transaction_export_for_user",
    "transaction_get_for_user",
    "transaction_list_for_user",
    "transaction_state",
    "transfer_counterparts",
    "wallet_get_for_user",
    "withdrawal_get_for_user",
    "withdrawal_list_for_operators",
    "withdrawal_list_for_user",
    "withdrawal_queue",
    "withdrawals_pending_summary",
]
