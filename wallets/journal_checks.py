"""The journal's half of ``verify_ledger``: sums of a wallet's lines (b), entries that
do not balance (a), the supply identity (c), the floors of the system accounts (d), the
two-phase settlements (e: no pending entry both posted and voided; each settlement
names its own row's pending entry and moves exactly final-minus-pending) and the
closed escrows, which hold nothing (f).

Sums are exact: in the database on MariaDB (DECIMAL arithmetic), in Python with
``Decimal`` on SQLite (whose SUM() adds binary floats).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from core.amounts import EXACT, ZERO, amount_sum_field, exact_sum
from wallets.ledger import BALANCES, entry_lines
from wallets.managers import PENDING, SETTLED
from wallets.models import JournalEntry, JournalLine, LedgerAccount
from wallets.selectors.supply import Supply, supply_totals

LISTED = 1_000  # at most this many unbalanced entries are named


@dataclass
class JournalFindings:
    entries_checked: int = 0
    #: (entry id, sum of its lines, number of lines) of each entry that does not balance.
    unbalanced: list[tuple[int, Decimal, int]] = field(default_factory=list)
    supply: Supply | None = None
    #: (account code, balance) of each system account below its floor.
    below_floor: list[tuple[str, Decimal]] = field(default_factory=list)
    #: (account code, balance) of each escrow released for good that still holds something.
    closed_not_empty: list[tuple[str, Decimal]] = field(default_factory=list)
    #: (e) one sentence per two-phase violation (a pending entry settled twice, a
    #: settlement linked to the wrong entry or moving the wrong lines).
    two_phase: list[str] = field(default_factory=list)

    @property
    def supply_gap(self) -> Decimal:
        return self.supply.gap if self.supply is not None else ZERO

    @property
    def clean(self) -> bool:
        return (
            not self.unbalanced
            and not self.supply_gap
            and not self.below_floor
            and not self.closed_not_empty
            and not self.two_phase
        )

    def problems(self) -> list[str]:
        found = []
        for pk, total, count in self.unbalanced:
            if count < 2:
                found.append(f"entry {pk}: {count} line(s); an entry needs two or more")
            if total:
                found.append(f"entry {pk}: lines sum to {total}, not zero")
        if self.supply is not None and self.supply_gap:
            s = self.supply
            where = EXACT.add(EXACT.add(s.members, s.escrowed), s.revenue)
            found.append(
                f"supply: issued {s.issued} + net deposited {s.external} = {s.total}, but members {s.members} "
                f"+ escrowed {s.escrowed} + revenue {s.revenue} = {where} (gap {s.gap})"
            )
        found += [f"account {code}: balance {balance} is below its floor of 0" for code, balance in self.below_floor]
        found += self.two_phase
        found += [f"account {code}: closed but holds {balance}" for code, balance in self.closed_not_empty]
        return found


def wallet_line_sums(wallet_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per wallet: what its journal lines add up to, per bucket (index ``idx_journal_line_wallet``)."""
    lines = JournalLine.objects.filter(wallet_id__in=list(wallet_ids)).order_by()
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(BALANCES, ZERO))
    if connection.vendor == "sqlite":
        for wallet_id, bucket, amount in lines.values_list("wallet_id", "bucket", "amount").iterator(chunk_size=5_000):
            sums[wallet_id][bucket] = EXACT.add(sums[wallet_id][bucket], amount)
    else:
        grouped = lines.values("wallet_id", "bucket").annotate(total=Sum("amount", output_field=amount_sum_field()))
        for row in grouped:
            sums[row["wallet_id"]][row["bucket"]] = row["total"]
    return {pk: (s["available"], s["staked"], s["held"]) for pk, s in sums.items()}


def _unbalanced_entries() -> list[tuple[int, Decimal, int]]:
    if connection.vendor == "sqlite":
        totals: dict[int, list[Decimal]] = {pk: [] for pk in JournalEntry.objects.values_list("pk", flat=True)}
        for entry_id, amount in JournalLine.objects.values_list("entry_id", "amount").iterator(chunk_size=5_000):
            totals.setdefault(entry_id, []).append(amount)
        found = [(pk, exact_sum(amounts), len(amounts)) for pk, amounts in sorted(totals.items())]
        return [item for item in found if item[1] or item[2] < 2][:LISTED]
    out = amount_sum_field()
    entries = JournalEntry.objects.annotate(
        total=Coalesce(Sum("lines__amount", output_field=out), Value(ZERO), output_field=out),
        count=Count("lines"),
    )
    bad = entries.filter(~Q(total=0) | Q(count__lt=2)).order_by("pk")
    return list(bad.values_list("pk", "total", "count")[:LISTED])


def _settled_twice() -> list[str]:
    """Rows with more than one settling entry (posted AND voided, or voided twice over):
    grouped on the unique index ``(transaction_id, status)``."""
    twice = (
        JournalEntry.objects.filter(transaction__isnull=False, status__in=SETTLED)
        .order_by()
        .values("transaction_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("transaction_id", flat=True)[:LISTED]
    )
    ids = list(twice)
    if not ids:
        return []
    entries: dict[int, list[str]] = defaultdict(list)
    pending: dict[int, int] = {}
    rows = JournalEntry.objects.filter(transaction_id__in=ids).order_by("transaction_id", "pk")
    for pk, txn, status in rows.values_list("pk", "transaction_id", "status"):
        if status == PENDING:
            pending[txn] = pk
        else:
            entries[txn].append(f"{'posted' if status == 'completed' else status} by entry {pk}")
    return [
        f"transaction {txn}: pending entry {pending.get(txn, '?')} settled more than once ({', '.join(entries[txn])})"
        for txn in ids
    ]


def _misdirected_settlements() -> list[str]:
    """Settlements whose link is wrong: to an entry that is not pending, of another row
    or kind; a settling status that is not final; and final entries of a row written
    pending that name no pending entry (a settlement outside the two-phase path)."""
    found = []
    linked = JournalEntry.objects.filter(pending_entry__isnull=False).filter(
        ~Q(pending_entry__status=PENDING)
        | ~Q(pending_entry__transaction_id=F("transaction_id"))
        | ~Q(pending_entry__kind=F("kind"))
        | ~Q(status__in=SETTLED)
        | Q(transaction__isnull=True)
    )
    for pk, target, status in linked.order_by("pk").values_list("pk", "pending_entry_id", "status")[:LISTED]:
        found.append(f"entry {pk}: settles entry {target} as {status}, but that is not its own row's pending entry")
    unlinked = JournalEntry.objects.filter(
        pending_entry__isnull=True, status__in=SETTLED, transaction__status=PENDING
    ).order_by("pk")
    for pk, txn in unlinked.values_list("pk", "transaction_id")[:LISTED]:
        found.append(f"entry {pk}: settles pending transaction {txn} without naming its pending entry")
    return found


def _settlement_lines() -> list[str]:
    """Each linked settlement moves exactly its row's final effect less its pending one
    (``wallets.ledger.entry_lines``) on its row's wallet: streamed, line by line."""
    lines = (
        JournalLine.objects.filter(entry__pending_entry__isnull=False)
        .order_by("entry_id", "pk")
        .values_list(
            "entry_id",
            "entry__status",
            "entry__transaction__kind",
            "entry__transaction__direction",
            "entry__transaction__amount",
            "entry__transaction__wallet_id",
            "wallet_id",
            "bucket",
            "account_id",
            "amount",
        )
    )
    found: list[str] = []
    current: int | None = None
    expected: list[tuple] = []
    actual: list[tuple] = []

    def close() -> None:
        if current is not None and sorted(actual) != sorted(expected) and len(found) < LISTED:
            found.append(f"entry {current}: its lines are not the settlement's (final less pending) effect")

    for entry_id, status, kind, direction, amount, wallet_id, line_wallet, bucket, account, value in lines.iterator(
        chunk_size=5_000
    ):
        if entry_id != current:
            close()
            current, actual = entry_id, []
            try:
                wanted = entry_lines(
                    kind=kind, status=status, direction=direction, amount=amount, previous_status=PENDING
                )
            except ValueError:  # no such settlement (a kind that is never pending): named by its link
                wanted = []
            expected = [
                (line.account or "", wallet_id if line.bucket else 0, line.bucket or "", line.amount) for line in wanted
            ]
        actual.append((account or "", line_wallet or 0, bucket, value))
    close()
    return found


def check_two_phase() -> list[str]:
    """(e) no pending entry is both posted and voided (or settled twice), every
    settlement names its own row's pending entry and moves final-minus-pending."""
    return _settled_twice() + _misdirected_settlements() + _settlement_lines()


def check_journal() -> JournalFindings:
    """(a) entries balance, (c) the supply identity, (d) the floors, (e) two-phase
    settlements, (f) closed escrows are empty."""
    findings = JournalFindings(entries_checked=JournalEntry.objects.count(), unbalanced=_unbalanced_entries())
    findings.two_phase = check_two_phase()
    supply = supply_totals()
    if supply.gap:
        # One statement reads both sides on MariaDB; elsewhere a movement committing
        # between two reads could look like a gap: read once more before reporting it.
        supply = supply_totals()
    findings.supply = supply
    floored = LedgerAccount.objects.filter(may_go_negative=False).values_list("code", flat=True)
    findings.below_floor = [
        (code, supply.accounts[code]) for code in sorted(floored) if supply.accounts.get(code, ZERO) < 0
    ]
    closed = LedgerAccount.objects.filter(closed_at__isnull=False).values_list("code", flat=True)
    findings.closed_not_empty = [
        (code, supply.accounts[code]) for code in sorted(closed) if supply.accounts.get(code, ZERO) != 0
    ]
    return findings
