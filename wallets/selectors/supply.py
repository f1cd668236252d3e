"""The token supply, read from the journal: where every OGC came from and where it is.

System accounts cache no balance (no hot row): each is the sum of its journal lines
(index ``idx_journal_line_account``). The members' part is the wallets' cached
balances. Both are read by ONE statement, so a movement committing meanwhile is seen
whole or not at all (InnoDB gives a statement one snapshot), and the identity

    issued + net deposited = available + staked + held + escrowed + revenue

holds exactly whenever every entry balances and every wallet equals its lines
(``verify_ledger`` proves all three).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext

from django.db import connection, connections, router
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.amounts import EXACT, ZERO, exact_sum
from core.db_router import reads_from_replica
from wallets.ledger import ESCROW_PREFIX, EXTERNAL, ISSUANCE, REVENUE
from wallets.models import JournalLine, Wallet


@dataclass(frozen=True)
class Supply:
    """Balances of the system accounts (by code) and the members' cached totals."""

    accounts: dict[str, Decimal] = field(default_factory=dict)
    available: Decimal = ZERO
    staked: Decimal = ZERO
    held: Decimal = ZERO

    @property
    def issued(self) -> Decimal:
        """Minted by the treasury (rewards, credit adjustments) less what returned to it."""
        return -self.accounts.get(ISSUANCE, ZERO)

    @property
    def external(self) -> Decimal:
        """Net tokens that came in from the chain: deposits less completed withdrawals."""
        return -self.accounts.get(EXTERNAL, ZERO)

    @property
    def revenue(self) -> Decimal:
        return self.accounts.get(REVENUE, ZERO)

    @property
    def escrowed(self) -> Decimal:
        return exact_sum(v for code, v in self.accounts.items() if code.startswith(ESCROW_PREFIX))

    @property
    def members(self) -> Decimal:
        return exact_sum((self.available, self.staked, self.held))

    @property
    def total(self) -> Decimal:
        """Every OGC on the platform: what was issued plus what came in."""
        with localcontext(EXACT):
            return self.issued + self.external

    @property
    def gap(self) -> Decimal:
        """``total`` less where the tokens are; zero on a consistent ledger."""
        with localcontext(EXACT):
            return self.total - (self.members + self.escrowed + self.revenue)


#: The report's lines, in order: (label, Supply attribute).
SUPPLY_LINES = (
    (_("Total supply (issued + net deposited)"), "total"),
    (_("Issued by the treasury"), "issued"),
    (_("Net deposited from outside (external)"), "external"),
    (_("Circulating (members' available)"), "available"),
    (_("Staked"), "staked"),
    (_("Held (pending withdrawals and cool-downs)"), "held"),
    (_("Escrowed for challenge prizes"), "escrowed"),
    (_("Revenue (subscriptions and fees)"), "revenue"),
)


def _one_statement() -> tuple[dict[str, Decimal], tuple[Decimal, Decimal, Decimal]]:
    q = connection.ops.quote_name
    lines, wallets = q(JournalLine._meta.db_table), q(Wallet._meta.db_table)
    # Table and column names from the models, quoted; no input reaches the text.
    sql = (
        f"SELECT {q('account_id')}, SUM({q('amount')}), NULL, NULL FROM {lines} "  # noqa: S608
        f"WHERE {q('account_id')} IS NOT NULL GROUP BY {q('account_id')} "
        f"UNION ALL SELECT NULL, SUM({q('available')}), SUM({q('staked')}), SUM({q('held')}) FROM {wallets}"
    )
    accounts: dict[str, Decimal] = {}
    members = (ZERO, ZERO, ZERO)
    # The database a read of the journal goes to (a replica inside supply_report).
    with connections[router.db_for_read(JournalLine)].cursor() as cursor:
        cursor.execute(sql)
        for code, *sums in cursor.fetchall():
            first, staked, held = (Decimal(str(v)) if v is not None else ZERO for v in sums)
            if code is None:
                members = (first, staked, held)
            else:
                accounts[code] = first
    return accounts, members


def _in_python() -> tuple[dict[str, Decimal], tuple[Decimal, Decimal, Decimal]]:
    """SQLite adds decimals as binary floats: sum exactly here (the embedded default only)."""
    accounts: dict[str, list[Decimal]] = {}
    for code, amount in JournalLine.objects.filter(account__isnull=False).values_list("account_id", "amount"):
        accounts.setdefault(code, []).append(amount)
    balances = list(Wallet.objects.values_list("available", "staked", "held"))
    members = tuple(exact_sum(row[i] for row in balances) for i in range(3))
    return {code: exact_sum(v) for code, v in accounts.items()}, (members[0], members[1], members[2])


def supply_totals() -> Supply:
    """The supply now (one statement on MariaDB)."""
    accounts, (available, staked, held) = _in_python() if connection.vendor == "sqlite" else _one_statement()
    return Supply(accounts=accounts, available=available, staked=staked, held=held)


def _month_starts(months: int, now: datetime) -> list[date]:
    """The first day of each of the last ``months`` calendar months (UTC), oldest first."""
    year, month = now.astimezone(UTC).year, now.astimezone(UTC).month
    starts = []
    for _step in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def revenue_by_month(*, months: int = 12, now: datetime | None = None) -> list[tuple[date, Decimal]]:
    """What the revenue account took (net) in each of the last ``months`` calendar months
    (UTC), oldest first, months without revenue included as zero: its journal lines
    grouped by their entry's month (one query on MariaDB; summed exactly in Python on
    SQLite, which adds decimals as floats)."""
    starts = _month_starts(months, now or timezone.now())
    since = datetime(starts[0].year, starts[0].month, 1, tzinfo=UTC)
    lines = JournalLine.objects.filter(account_id=REVENUE, entry__created_at__gte=since)
    totals: dict[date, Decimal] = {}
    if connection.vendor == "sqlite":
        for created_at, amount in lines.values_list("entry__created_at", "amount"):
            key = created_at.astimezone(UTC).date().replace(day=1)
            totals[key] = exact_sum((totals.get(key, ZERO), amount))
    else:
        per_month = (
            lines.annotate(month=TruncMonth("entry__created_at", tzinfo=UTC))
            .order_by()
            .values("month")
            .annotate(total=Sum("amount"))
        )
        for row in per_month:
            month = row["month"]
            key = (month.date() if isinstance(month, datetime) else month).replace(day=1)
            totals[key] = row["total"] or ZERO
    return [(start, totals.get(start, ZERO)) for start in starts]


@reads_from_replica
def supply_report(*, months: int = 12) -> tuple[Supply, list[tuple[date, Decimal]]]:
    """The operators' supply report (the supply and the revenue by month), from a replica
    when one is usable: a report may be seconds old; the gap alert (``journal_checks``)
    reads ``supply_totals`` from the primary."""
    return supply_totals(), revenue_by_month(months=months)
