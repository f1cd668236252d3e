"""Member-to-member transfers (issue #16, item 4).

Two ledger rows, ``transfer_out`` on the sender and ``transfer_in`` on the receiver,
and ONE balanced journal entry, attached to the sender's row: sender.available -x,
recipient.available +x (``wallets.ledger.COUNTERPART``). The receiver's row names the
sender's as its ``source`` and has no entry of its own. Both wallets are locked in
primary-key order (``lock_objects.wallet_pair_for_update``), so opposite transfers
cannot deadlock. The receiver is notified; the sender, who acted, is not.

Members are found by their login email only (accounts have no public handle). An
unknown email and an inactive account are refused at the same point, with the same
status, code and message (``recipient_unavailable``): the answer does not reveal
whether an address has an account."""

from __future__ import annotations

import functools
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http

from core.amounts import EXACT, ZERO, amount_sum_field, format_amount, parse_amount
from core.audit import AuditAction, log_entries_create, named_entry
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError
from core.rows import fetch_rows, select_rows, select_value
from wallets import events
from wallets.lock_objects import wallet_pair_for_update
from wallets.models import Transaction, Wallet
from wallets.services.posting import D, K, S, _key_reused, _replayed, _write

if TYPE_CHECKING:
    from accounts.models import User

MEMO_MAX = 200
DAY = timedelta(hours=24)


def _unavailable() -> ApplicationError:
    """One refusal for an unknown email and an inactive account: nothing tells them apart."""
    return ApplicationError(
        _("No active member can receive tokens at this email address."),
        code="recipient_unavailable",
        field="recipient",
        status_code=http.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def _recipient(sender: User, recipient: str) -> User:
    """The receiving member, found by login email in one query on the raw cursor
    (``core.rows.select_rows``: the user's columns, converted as the ORM would)."""
    email = (recipient or "").strip().lower()
    if email and email == (sender.email or "").lower():
        raise ApplicationError(_("You cannot send tokens to yourself."), code="recipient_self", field="recipient")
    model = get_user_model()
    found = select_rows(model, _user_fields(model), "{email} = %s ORDER BY {id} LIMIT 1", [email]) if email else []
    user = found[0] if found else None
    if user is None or not user.is_active:
        raise _unavailable()
    if user.pk == sender.pk:  # cannot happen with a unique email; kept as a rule, not a hope
        raise ApplicationError(_("You cannot send tokens to yourself."), code="recipient_self", field="recipient")
    return user


@functools.cache
def _user_fields(model: Any) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def _wallet_ids(*user_ids: int) -> dict[int, int]:
    """``{user id: wallet id}`` in one read (no lock: the lock is taken by wallet id, in pk order)."""
    quote = connection.ops.quote_name
    sql = f"SELECT {quote('user_id')}, {quote('id')} FROM {quote(Wallet._meta.db_table)} WHERE {quote('user_id')} IN (%s, %s)"  # noqa: S608
    return dict(fetch_rows(sql, user_ids))


def _check_maximum(amount: Decimal, symbol: str) -> None:
    maximum = Decimal(settings.OGC_TRANSFER_MAX)
    if amount > maximum:
        raise ApplicationError(
            _("One transfer can move at most %(limit)s.")
            % {"limit": format_amount(maximum, grouping=True, symbol=symbol)},
            code="transfer_max_exceeded",
            field="amount",
        )


def sent_in_last_day(*, wallet_id: int) -> Decimal:
    """What the wallet sent to other members in the last 24 hours (index
    ``idx_txn_wallet_created``). Read under the sender's lock by the service, on the
    raw cursor (the SQL the ORM's aggregate sends, without compiling it)."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT SUM({quote('amount')}) FROM {quote(Transaction._meta.db_table)} WHERE {quote('wallet_id')} = %s"  # noqa: S608
        f" AND {quote('kind')} = %s AND {quote('status')} = %s AND {quote('created_at')} > %s"
    )
    since = Transaction._meta.get_field("created_at").get_db_prep_value(timezone.now() - DAY, connection)
    total = select_value(sql, [wallet_id, K.TRANSFER_OUT, S.COMPLETED, since], amount_sum_field())
    return total or ZERO


def _check_daily_limit(wallet: Wallet, amount: Decimal) -> None:
    limit = Decimal(settings.OGC_TRANSFER_DAILY_LIMIT)
    sent = sent_in_last_day(wallet_id=wallet.pk)
    if EXACT.add(sent, amount) > limit:
        left = max(EXACT.subtract(limit, sent), ZERO)
        raise ConflictError(
            _("You can send at most %(limit)s in 24 hours; %(left)s is left for now.")
            % {
                "limit": format_amount(limit, grouping=True, symbol=wallet.token_symbol),
                "left": format_amount(left, grouping=True, symbol=wallet.token_symbol),
            },
            code="transfer_daily_limit",
            field="amount",
        )


def _same_transfer(row: Transaction, recipient: User, memo: str) -> bool:
    """Whether the row an idempotency key already wrote went to ``recipient`` with ``memo``."""
    received = Transaction.objects.filter(
        kind=K.TRANSFER_IN, source_type=ContentType.objects.get_for_model(Transaction), source_id=row.pk
    ).values_list("user_id", flat=True)
    return row.memo == memo and list(received) == [recipient.pk]


@retry_on_lock_conflict()
@transaction.atomic
def transfer_create(
    *, sender: User, recipient: str, amount: Any, memo: str = "", idempotency_key: str | None = None
) -> Transaction:
    """Send ``amount`` from ``sender``'s available balance to the member whose login
    email is ``recipient``. Returns the sender's ``transfer_out`` row (an earlier row
    when ``idempotency_key`` was used before for the same transfer)."""
    amount = parse_amount(amount)
    memo = (memo or "").strip()[:MEMO_MAX]
    target = _recipient(sender, recipient)
    _check_maximum(amount, settings.OGC_TOKEN_SYMBOL)
    wallet_ids = _wallet_ids(sender.pk, target.pk)
    if sender.pk not in wallet_ids or target.pk not in wallet_ids:
        raise _unavailable()  # a user without a wallet cannot exist (integrity check); not a 500
    wallet, other = wallet_pair_for_update(first_id=wallet_ids[sender.pk], second_id=wallet_ids[target.pk])
    if (row := _replayed(wallet, idempotency_key, K.TRANSFER_OUT, amount)) is not None:
        if not _same_transfer(row, target, memo):
            raise _key_reused()
        return row
    _check_daily_limit(wallet, amount)
    audit: list = []  # both wallets' and rows' entries and the named one: one INSERT
    out = _write(
        wallet,
        kind=K.TRANSFER_OUT,
        status=S.COMPLETED,
        direction=D.DEBIT,
        amount=amount,
        user=sender,
        actor=sender,
        idempotency_key=idempotency_key,
        memo=memo,
        counterpart_wallet_id=other.pk,
        audit=audit,
    )
    received = _write(
        other,
        kind=K.TRANSFER_IN,
        status=S.COMPLETED,
        direction=D.CREDIT,
        amount=amount,
        user=target,
        actor=sender,
        source=out,
        memo=memo,
        journal=False,  # its line is in the sender's entry
        audit=audit,
    )
    audit.append(
        named_entry(
            action=AuditAction.TRANSFER_CREATE,
            instance=out,
            actor=sender,
            data={"amount": amount, "recipient_id": target.pk, "received_id": received.pk, "memo": memo},
        )
    )
    log_entries_create(audit)
    events.transaction_event(out)  # the ledger's listeners; no notification for one's own action
    events.transaction_event(received, actor=sender)
    return out
