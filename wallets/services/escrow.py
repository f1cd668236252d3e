"""Prize escrows: the system accounts ``escrow:<reference>`` that hold what a challenge
will pay (its reference is opaque here, e.g. ``challenge:12``; the ledger imports
nothing from challenges).

``escrow_fund`` moves tokens issuance -> escrow and ``escrow_release`` escrow ->
issuance, each as ONE balanced entry between system accounts with no member row
(``SystemEntryKind``): the header and its two lines in the caller's transaction, so a
crash leaves no half entry. Rewards paid out of an escrow and entry fees paid into it
are member rows whose other side is the escrow (``payments.reward_credit`` /
``payment_debit`` with ``escrow=``).

Locks: the escrow's ``ledger_accounts`` row (``SELECT ... FOR UPDATE``, ``escrow_lock``),
taken before any wallet lock of the same path, and its balance (the sum of its lines)
read under it: an escrow never goes below zero and a closed one takes nothing. Callers also hold
their own lock (the challenge's row), which serialises a challenge's movements.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.amounts import ZERO, amount_sum_field, exact_sum, format_amount, parse_amount
from core.exceptions import ConflictError
from wallets.ledger import ISSUANCE, escrow_code
from wallets.models import AccountKind, JournalEntry, JournalLine, LedgerAccount, SystemEntryKind, TransactionStatus

if TYPE_CHECKING:
    from accounts.models import User


def _escrow_for_update(reference: str, *, create: bool) -> LedgerAccount | None:
    """The escrow's account row, locked; created (open, empty) when ``create``."""
    code = escrow_code(reference)
    account = LedgerAccount.objects.select_for_update().filter(code=code).first()
    if account is None and create:
        account = LedgerAccount.objects.create(
            code=code, kind=AccountKind.ESCROW, may_go_negative=False, name=f"Prize escrow of {reference}"[:120]
        )
    return account


def escrow_balance(*, reference: str) -> Decimal:
    """What the escrow of ``reference`` holds: the sum of its lines (exact)."""
    lines = JournalLine.objects.filter(account_id=escrow_code(reference)).order_by()
    if connection.vendor == "sqlite":  # SQLite adds decimals as binary floats
        return exact_sum(lines.values_list("amount", flat=True))
    return lines.aggregate(total=Sum("amount", output_field=amount_sum_field()))["total"] or ZERO


def _closed(reference: str) -> ConflictError:
    return ConflictError(
        _("This prize escrow was released and closed; it takes no more money."), code="escrow_closed", field="amount"
    )


def _entry(kind: str, reference: str, amount: Decimal, *, into_escrow: bool, actor: Any, memo: str) -> JournalEntry:
    entry = JournalEntry(
        kind=kind, status=TransactionStatus.COMPLETED, actor=actor, memo=memo[:500], reference=reference[:255]
    )
    entry.save(force_insert=True)
    sign = 1 if into_escrow else -1
    JournalLine.objects.bulk_create(
        [
            JournalLine(entry=entry, account_id=escrow_code(reference), amount=sign * amount),
            JournalLine(entry=entry, account_id=ISSUANCE, amount=-sign * amount),
        ]
    )
    return entry


@transaction.atomic
def escrow_fund(*, reference: str, amount: Any, actor: User | None = None, memo: str = "") -> JournalEntry:
    """Move ``amount`` from the treasury (issuance) into the escrow of ``reference``
    (created on first use). Refused with 409 ``treasury_refused`` when the escrow would
    hold more than ``OGC_TREASURY_MAX_ESCROW`` (the treasury policy; unset: no limit),
    and 409 ``escrow_closed`` once the escrow was released for good."""
    amount = parse_amount(amount)
    escrow_lock(reference=reference)
    limit = settings.OGC_TREASURY_MAX_ESCROW
    if limit is not None and escrow_balance(reference=reference) + amount > limit:
        raise ConflictError(
            _("The treasury funds at most %(limit)s into one challenge's prizes.") % {"limit": format_amount(limit)},
            code="treasury_refused",
            field="amount",
        )
    return _entry(SystemEntryKind.ESCROW_FUND, reference, amount, into_escrow=True, actor=actor, memo=memo)


@transaction.atomic
def escrow_release(
    *, reference: str, amount: Any = None, actor: User | None = None, memo: str = "", close: bool = False
) -> Decimal:
    """Return ``amount`` (default: everything it holds) from the escrow of ``reference``
    to the treasury; with ``close``, also close the escrow for good. Returns what moved.
    Idempotent: a closed (or never opened) escrow returns nothing and writes nothing."""
    account = _escrow_for_update(reference, create=False)
    if account is None or account.closed_at is not None:
        return ZERO
    balance = escrow_balance(reference=reference)
    moved = balance if amount is None else parse_amount(amount)
    if moved > balance:
        raise ConflictError(_("The prize escrow does not hold that much."), code="escrow_insufficient", field="amount")
    if moved > 0:
        _entry(SystemEntryKind.ESCROW_RELEASE, reference, moved, into_escrow=False, actor=actor, memo=memo)
    if close:
        account.closed_at = timezone.now()
        account.save(update_fields=["closed_at"])
    return moved


def escrow_lock(*, reference: str) -> LedgerAccount:
    """Lock the escrow of ``reference`` (created on first use) inside the caller's
    transaction and refuse (409 ``escrow_closed``) if it was released for good. Paths
    that also lock wallets take this lock first (one order, no deadlock)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("escrow_lock must run inside the caller's transaction")
    account = _escrow_for_update(reference, create=True)
    if account is None or account.closed_at is not None:
        raise _closed(reference)
    return account
