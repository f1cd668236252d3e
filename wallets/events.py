"""Notifications for ledger operations the wallets app owns end to end.

Written in the same transaction as the row (``notifications.services.notify``),
delivered after commit. The event id (row id and state) is new by construction:
it is called only for a row this transaction just inserted or moved out of
``pending`` (once, under the wallet lock), never for an idempotent replay, so
``notify`` skips its event-id lookup and savepoint (``event_is_new``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.amounts import format_amount
from core.i18n import member_locale
from wallets.listeners import ledger_row_written
from wallets.managers import row_state
from wallets.models import Transaction, TransactionKind, TransactionStatus
from wallets.selectors.transfers import member_label

if TYPE_CHECKING:
    from accounts.models import User

K, S = TransactionKind, TransactionStatus


REJECTED_PREFIX = "Rejected: "  # how withdrawal_reject stores the operator's reason


def transaction_message(row: Transaction) -> tuple[str, str, str] | None:
    """(kind, title, body) of the notification for ``row``, in its owner's language
    and time zone (``core.i18n.member_locale``); ``None`` when there is none to send.

    A member is told what others or the platform did to their money (a deposit, an
    operator's approval, rejection or adjustment, a reward, tokens received, the end of
    a cool-down) and what matters for security (a withdrawal requested), not what they
    just did themselves on the page that shows the result (a stake, an unstake without
    cool-down, the start of a cool-down, cancelling their own withdrawal): issue #16."""
    with member_locale(row.user):
        return _transaction_message(row)


def _transaction_message(row: Transaction) -> tuple[str, str, str] | None:
    params = {"amount": format_amount(row.amount, symbol=row.wallet.token_symbol)}
    state = row_state(row)  # a settled withdrawal's or unstake's state is its settling entry's
    if row.kind == K.DEPOSIT:
        return "deposit_credited", _("Deposit credited"), _("%(amount)s were credited to your wallet.") % params
    if row.kind == K.WITHDRAWAL:
        if state.state == S.PENDING:
            return (
                "withdrawal_requested",
                _("Withdrawal requested"),
                _("Your withdrawal of %(amount)s awaits approval.") % params,
            )
        if state.state == S.COMPLETED:
            return (
                "withdrawal_approved",
                _("Withdrawal sent"),
                _("Your withdrawal of %(amount)s was approved and sent.") % params,
            )
        if state.state == S.CANCELED and state.reason.startswith(REJECTED_PREFIX.strip()):
            reason = state.reason.removeprefix(REJECTED_PREFIX).strip()
            return (
                "withdrawal_rejected",
                _("Withdrawal rejected"),
                _("Your withdrawal of %(amount)s was rejected; the tokens are back in your wallet. Reason: %(reason)s")
                % {**params, "reason": reason},
            )
        if row.actor_id is not None and row.actor_id != row.user_id:  # an operator canceled it
            return (
                "withdrawal_canceled",
                _("Withdrawal canceled"),
                _("Your withdrawal of %(amount)s was canceled; the tokens are back in your wallet.") % params,
            )
        return None  # the member canceled it themselves
    if row.kind == K.UNSTAKE and state.state == S.COMPLETED and row.available_at is not None:
        # The cool-down ended: the platform released the tokens.
        return "stake_changed", _("Staking changed"), _("You unstaked %(amount)s.") % params
    if row.kind == K.ADJUSTMENT:
        text = (
            _("An operator added %(amount)s to your balance: %(reason)s")
            if row.direction == "credit"
            else _("An operator took %(amount)s from your balance: %(reason)s")
        )
        return "adjustment", _("Balance adjusted"), text % {**params, "reason": row.memo}
    if row.kind == K.TRANSFER_IN and row.actor is not None:
        body = _("%(sender)s sent you %(amount)s.") % {**params, "sender": member_label(row.actor)}
        if row.memo:
            body = "{} {}".format(body, _("Their message: %(memo)s") % {"memo": row.memo})
        return "transfer_received", _("Tokens received"), body
    return None


def transaction_event(row: Transaction, *, actor: User | None = None) -> None:
    ledger_row_written(row)  # apps built on the ledger (challenges: staking badges)
    message = transaction_message(row)
    if message is None:
        return
    kind, title, body = message
    state = row_state(row).state
    from notifications.services import notify

    notify(
        user=row.user,
        kind=kind,
        title=title,
        body=body,
        data={
            "transaction_id": row.pk,
            "kind": row.kind,
            "status": state,
            "amount": str(row.amount),
            "available": str(row.available_after),
        },
        event_id=f"ledger:{row.pk}:{state}",
        event_is_new=True,
    )
