"""The money screen's reads: balances over time, the month at a glance, the CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.amounts import EXACT, ZERO, amount_sum_field, exact_sum
from wallets.ledger import EFFECTS, effect_of
from wallets.models import Direction, Transaction, TransactionKind, TransactionStatus
from wallets.selectors.lookups import transaction_list_for_user

if TYPE_CHECKING:
    from accounts.models import User


# Every ledger row records the three balances right after it (``available_after``,
# ``staked_after``, ``held_after``): the series is those columns, in the order the rows
# were written. The one movement a row does not record is the end of a pending row
# (a withdrawal approved, rejected or canceled; an unstake's cool-down over): the
# wallet moves when its settling entry is written (``state_at`` of ``with_state()``) by
# (final effect - pending effect) x amount and no row is written, so the series adds a
# point there, computed from ``EFFECTS``. A row written after it carries the balances
# again, so nothing drifts.

_OUT = amount_sum_field()

#: The (kind, direction) pairs whose rows can be written pending and settled later.
_SETTLEABLE = {(kind, direction) for (kind, status, direction) in EFFECTS if status == TransactionStatus.PENDING}
_SERIES_FIELDS = (
    "id",
    "kind",
    "state",
    "direction",
    "amount",
    "created_at",
    "state_at",
    "available_after",
    "staked_after",
    "held_after",
)


@dataclass(frozen=True)
class BalancePoint:
    """The wallet's balances from ``at`` on. ``event``: ``start`` (the window's first
    point), ``row`` (the balances-after of ledger row ``transaction_id``) or ``settled``
    (row ``transaction_id`` left pending)."""

    at: datetime
    available: Decimal
    staked: Decimal
    held: Decimal
    event: str
    transaction_id: int | None = None

    @property
    def total(self) -> Decimal:
        return EXACT.add(EXACT.add(self.available, self.staked), self.held)


def _settled_delta(kind: str, status: str, direction: str, amount: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    pending = effect_of(kind, TransactionStatus.PENDING, direction)
    final = effect_of(kind, status, direction)
    return tuple(EXACT.multiply(Decimal(f - p), amount) for f, p in zip(final, pending, strict=True))  # type: ignore[return-value]


def _settled_q() -> Q:
    """Rows (of ``with_state()``) that were written pending and have left it (settled
    later than the insert; a row written completed has ``state_at <= created_at``)."""
    pairs = Q()
    for kind, direction in _SETTLEABLE:
        pairs |= Q(kind=kind, direction=direction)
    return pairs & ~Q(state=TransactionStatus.PENDING) & Q(state_at__gt=F("created_at"))


def balance_series_for_user(*, user: User, since: datetime, until: datetime | None = None) -> list[BalancePoint]:
    """``user``'s balances from ``since`` to ``until`` (default now): a ``start`` point
    at ``since``, then one point per ledger row (its balances-after) and per pending
    row settled in the window, oldest first. Two queries whatever the number of rows."""
    until = until or timezone.now()
    rows = Transaction.objects.with_state().filter(user_id=user.pk)
    anchor = (
        rows.filter(created_at__lt=since)
        .order_by("-created_at", "-id")
        .values_list("created_at", "available_after", "staked_after", "held_after")
        .first()
    )
    in_window = Q(created_at__gte=since, created_at__lte=until)
    settled = _settled_q() & Q(state_at__lte=until)
    if anchor is not None:
        settled &= Q(state_at__gt=anchor[0])
        wanted = in_window | (settled & Q(created_at__lt=since))
    else:
        wanted = in_window
    events: list[tuple[datetime, int, int, str, tuple[Decimal, ...]]] = []
    for row in rows.filter(wanted).values(*_SERIES_FIELDS):
        if row["created_at"] >= since:
            after = (row["available_after"], row["staked_after"], row["held_after"])
            events.append((row["created_at"], 1, row["id"], "row", after))
        settles = (row["kind"], row["direction"]) in _SETTLEABLE and row["state"] != TransactionStatus.PENDING
        completed = row["state_at"]
        if settles and completed is not None and row["created_at"] < completed <= until:
            delta = _settled_delta(row["kind"], row["state"], row["direction"], row["amount"])
            events.append((completed, 0, row["id"], "settled", delta))
    # At one instant a settlement comes before a row: a row's balances-after already include it.
    events.sort(key=lambda event: (event[0], event[1], event[2]))

    state: tuple[Decimal, ...] = tuple(anchor[1:]) if anchor is not None else (ZERO, ZERO, ZERO)

    def point(at: datetime, event: str, row_id: int | None = None) -> BalancePoint:
        return BalancePoint(at, state[0], state[1], state[2], event=event, transaction_id=row_id)

    points: list[BalancePoint] = []
    for at, _order, row_id, event, values in events:
        if at >= since and not points:
            points.append(point(since, "start"))
        if event == "row":
            state = values
        else:
            state = tuple(EXACT.add(balance, change) for balance, change in zip(state, values, strict=True))
        if at >= since:
            points.append(point(at, event, row_id))
    if not points:
        points.append(point(since, "start"))
    return points


@dataclass(frozen=True)
class MoneyDay:
    """Tokens that came in and went out on ``day`` (UTC), counted when completed."""

    day: date
    tokens_in: Decimal
    tokens_out: Decimal


@dataclass(frozen=True)
class MoneyPeriod:
    """What moved in ``user``'s wallet from ``start`` to ``end``, counted when each row
    completed (a withdrawal when approved, an unstake when its cool-down ended).
    ``tokens_in``/``tokens_out`` change the total (credits, debits); ``rewards`` is part
    of ``tokens_in``; ``staked``/``unstaked`` are moves between the member's own balances.
    ``days`` has every day of the period, zeros included."""

    start: datetime
    end: datetime
    tokens_in: Decimal
    tokens_out: Decimal
    rewards: Decimal
    staked: Decimal
    unstaked: Decimal
    days: list[MoneyDay]


_PERIOD_SUMS = ("tokens_in", "tokens_out", "rewards", "staked", "unstaked")


def _sum_where(condition: Q) -> Coalesce:
    return Coalesce(
        Sum(Case(When(condition, then=F("amount")), default=Value(ZERO), output_field=_OUT)),
        Value(ZERO),
        output_field=_OUT,
    )


def money_period_for_user(*, user: User, start: datetime, end: datetime) -> MoneyPeriod:
    """``user``'s money from ``start`` (included) to ``end`` (excluded), per UTC day and in
    total (one grouped query)."""
    per_day = (
        Transaction.objects.with_state()
        .filter(user_id=user.pk, state=TransactionStatus.COMPLETED, state_at__gte=start, state_at__lt=end)
        .annotate(day=TruncDate("state_at", tzinfo=UTC))
        .order_by()
        .values("day")
        .annotate(
            tokens_in=_sum_where(Q(direction=Direction.CREDIT)),
            tokens_out=_sum_where(Q(direction=Direction.DEBIT)),
            rewards=_sum_where(Q(kind=TransactionKind.REWARD)),
            staked=_sum_where(Q(kind=TransactionKind.STAKE)),
            unstaked=_sum_where(Q(kind=TransactionKind.UNSTAKE)),
        )
    )
    found: dict[date, dict[str, Any]] = {row["day"]: dict(row) for row in per_day}
    totals = {name: exact_sum(row[name] for row in found.values()) for name in _PERIOD_SUMS}
    days = []
    day, last = start.astimezone(UTC).date(), (end - timedelta(microseconds=1)).astimezone(UTC).date()
    while day <= last:
        sums = found.get(day, {})
        days.append(MoneyDay(day, sums.get("tokens_in", ZERO), sums.get("tokens_out", ZERO)))
        day += timedelta(days=1)
    return MoneyPeriod(start=start, end=end, days=days, **totals)


def transaction_export_for_user(
    *, user: User, rows: QuerySet[Transaction] | None = None, chunk_size: int = 1000
) -> Iterator[tuple]:
    """``user``'s ledger rows for a CSV export (``EXPORT_FIELDS``), newest first, read
    ``chunk_size`` rows per query by keyset on ``idx_txn_user_created`` (a long ledger is
    never held in memory, on the server or in the driver). ``rows`` (a filtered
    ``transaction_list_for_user``) narrows it; it is scoped to ``user`` again, so another
    member's rows cannot slip in."""
    mine = (rows if rows is not None else transaction_list_for_user(user=user)).filter(user_id=user.pk)
    columns = [EXPORT_SOURCES.get(name, name) for name in EXPORT_FIELDS]
    base: QuerySet[Transaction, tuple[Any, ...]] = mine.order_by("-created_at", "-id").values_list(*columns)
    page = base
    while True:
        batch = list(page[:chunk_size])
        yield from batch
        if len(batch) < chunk_size:
            return
        last_id, last_at = batch[-1][0], batch[-1][1]  # EXPORT_FIELDS starts with id, created_at
        page = base.filter(Q(created_at__lt=last_at) | Q(created_at=last_at, id__lt=last_id))


#: The columns of the export, in order.
EXPORT_FIELDS = (
    "id",
    "created_at",
    "completed_at",
    "kind",
    "status",
    "direction",
    "amount",
    "available_after",
    "staked_after",
    "held_after",
    "chain",
    "destination_address",
    "external_reference",
    "memo",
)
#: Where a column's value comes from (of ``with_state()``): the current state, not the
#: status the row was written with.
EXPORT_SOURCES = {"completed_at": "state_at", "status": "state", "external_reference": "state_reference"}
