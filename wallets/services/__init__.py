"""Write layer of the wallets app: every change to a balance goes through these
functions (the app's public interface for writes). One module per concern:
``posting`` (the ledger plumbing every operation shares), ``operators`` (deposits and
adjustments), ``staking``, ``withdrawals`` (two-phase), ``payments`` (wallet creation,
rewards and payments for the apps built on the ledger), ``transfers`` (member to member),
``escrow`` (prize escrows: system entries between the treasury and a challenge's escrow),
``holds`` (a paid service's two-phase hold: reserve an estimate, charge the actual cost or release),
``addresses``, ``limits`` (withdrawal limits, overridable per plan), ``approvals``
(four-eyes) and ``history``
(journaling rows written in bulk around the posting path: the demo, the benches)."""

from wallets.services.addresses import (
    address_confirm,
    address_confirm_token,
    address_create,
    address_delete,
    address_for_confirmation,
    address_usable_or_refuse,
    normalize_evm_address,
)
from wallets.services.approvals import approvals_needed
from wallets.services.escrow import escrow_balance, escrow_fund, escrow_lock, escrow_release
from wallets.services.history import journal_unjournaled_rows
from wallets.services.holds import charge_key, hold_create, hold_release, hold_settle
from wallets.services.limits import WithdrawalLimits, register_withdrawal_limits, withdrawal_limits_for
from wallets.services.operators import adjustment_create, deposit_create
from wallets.services.payments import payment_debit, reward_credit, wallet_create, wallets_lock
from wallets.services.staking import stake_create, unstake_create, unstake_release_due
from wallets.services.transfers import transfer_create
from wallets.services.withdrawals import withdrawal_approve, withdrawal_cancel, withdrawal_reject, withdrawal_request

__all__ = [
    "WithdrawalLimits",
    "address_confirm",
    "address_confirm_token",
    "address_create",
    "address_delete",
    "address_for_confirmation",
    "address_usable_or_refuse",
    "adjustment_create",
    "approvals_needed",
    "charge_key",
    "deposit_create",
    "escrow_balance",
    "escrow_fund",
    "escrow_lock",
    "escrow_release",
    "hold_create",
    "hold_release",
    "hold_settle",
    "journal_unjournaled_rows",
    "normalize_evm_address",
    "payment_debit",
    "register_withdrawal_limits",
    "reward_credit",
    "stake_create",
    "transfer_create",
    "unstake_create",
    "unstake_release_due",
    "wallet_create",
    "wallets_lock",
    "withdrawal_approve",
    "withdrawal_cancel",
    "withdrawal_limits_for",
    "withdrawal_reject",
    "withdrawal_request",
]
