"""Proof of consistency: every wallet's balances recomputed from its ledger rows
and from its journal lines, and the journal itself balanced.

``verify_ledger()`` streams the wallets in primary-key chunks; for each chunk one
grouped query (``wallets.ledger.ledger_sums``, built from the same EFFECTS table
the services apply) gives the balances the rows add up to, and one grouped query
over ``journal_lines`` the balances the wallet's lines add up to; both are compared
with the stored balances (b). It also finds rows whose ``*_after`` columns are
negative (impossible while the CHECK constraints exist; checked because a restored
dump or a dropped constraint could bring them back). Only the sums are
authoritative: a pending row's ``*_after`` describes the moment it was written.

A full run (no ``wallet_ids``) also proves the journal (``wallets.journal_checks``):
(a) every entry has two or more lines summing to zero, (c) the supply identity
(issued + net deposited = members' cached balances + escrows + revenue), (d) no
system account below its floor, (e) no pending entry posted and voided, and every
settlement its own row's, moving final-minus-pending (two-phase), (f) an escrow
released for good holds nothing. Rows are counted with their CURRENT state
(``Transaction.objects.with_state()``): a settled pending row's is its settlement's.

Other apps' tests call it to assert "verify_ledger clean" after their scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from core.amounts import ZERO
from wallets.journal_checks import JournalFindings, check_journal, wallet_line_sums
from wallets.ledger import BALANCES, effect_of, ledger_sums
from wallets.lock_objects import wallet_balances_for_update
from wallets.models import Transaction, Wallet

DEFAULT_CHUNK_SIZE = 2_000


@dataclass(frozen=True)
class Drift:
    wallet_id: int
    user_id: int
    stored: tuple[Decimal, Decimal, Decimal]
    ledger: tuple[Decimal, Decimal, Decimal]
    #: What the wallet's journal lines add up to, per bucket.
    lines: tuple[Decimal, Decimal, Decimal] | None = None

    def describe(self) -> str:
        parts = [
            f"{name} stored={s} ledger={lg} (diff {s - lg})"
            for name, s, lg in zip(BALANCES, self.stored, self.ledger, strict=True)
            if s != lg
        ]
        if self.lines is not None:
            parts += [
                f"{name} stored={s} lines={ln} (diff {s - ln})"
                for name, s, ln in zip(BALANCES, self.stored, self.lines, strict=True)
                if s != ln
            ]
        return f"wallet {self.wallet_id} (user {self.user_id}): " + "; ".join(parts)


@dataclass
class LedgerReport:
    wallets_checked: int = 0
    rows_checked: int = 0
    drifts: list[Drift] = field(default_factory=list)
    negative_rows: list[int] = field(default_factory=list)
    #: The journal's own proof (a full run only; None when limited to some wallets).
    journal: JournalFindings | None = None

    @property
    def clean(self) -> bool:
        return not self.drifts and not self.negative_rows and (self.journal is None or self.journal.clean)

    def problems(self) -> list[str]:
        """One line per violation, each naming what is wrong."""
        lines = [drift.describe() for drift in self.drifts]
        lines += [f"transaction {pk}: negative balance-after" for pk in self.negative_rows]
        if self.journal is not None:
            lines += self.journal.problems()
        return lines

    def summary(self) -> str:
        entries = f", {self.journal.entries_checked} journal entries" if self.journal is not None else ""
        if self.clean:
            return (
                f"Ledger consistent: {self.wallets_checked} wallet(s), {self.rows_checked} row(s){entries}, no drift."
            )
        journal = f", {len(self.journal.problems())} journal problem(s)" if self.journal is not None else ""
        return (
            f"Ledger drift: {len(self.drifts)} of {self.wallets_checked} wallet(s) drift, "
            f"{len(self.negative_rows)} row(s) with negative balances-after{journal}."
        )


def _exact_sums(rows: QuerySet) -> dict[int, dict[str, Decimal]]:
    """Per-wallet sums in the database when it adds decimals exactly (MariaDB,
    PostgreSQL); in Python with ``Decimal`` on SQLite, whose SUM() works in binary
    floating point and would report drift of ~1e-12 on 18-decimal amounts."""
    if connection.vendor != "sqlite":
        return {s["wallet_id"]: s for s in ledger_sums(rows)}
    sums: dict[int, dict[str, Decimal]] = {}
    for wallet_id, kind, status, direction, amount in (
        rows.with_state().values_list("wallet_id", "kind", "state", "direction", "amount").iterator(chunk_size=5_000)  # type: ignore[attr-defined]
    ):
        entry = sums.setdefault(wallet_id, {f"ledger_{name}": ZERO for name in BALANCES})
        for name, sign in zip(BALANCES, effect_of(kind, status, direction), strict=True):
            entry[f"ledger_{name}"] += sign * amount
    return sums


def _drifts(
    chunk: list[tuple], sums: dict[int, dict[str, Decimal]], line_sums: dict[int, tuple[Decimal, Decimal, Decimal]]
) -> list[Drift]:
    found: list[Drift] = []
    for pk, user_id, *stored in chunk:
        entry = sums.get(pk)
        ledger = tuple(entry[f"ledger_{name}"] if entry else ZERO for name in BALANCES)
        lines = line_sums.get(pk, (ZERO, ZERO, ZERO))
        if tuple(stored) != ledger or tuple(stored) != lines:
            found.append(
                Drift(
                    wallet_id=pk,
                    user_id=user_id,
                    stored=tuple(stored),
                    ledger=ledger,
                    lines=lines if tuple(stored) != lines else None,
                )
            )
    return found


def _compare(chunk: list[tuple], wallet_ids: list[int]) -> list[Drift]:
    rows = Transaction.objects.filter(wallet_id__in=wallet_ids)
    return _drifts(chunk, _exact_sums(rows), wallet_line_sums(wallet_ids))


def _confirmed_drifts(wallet_ids: list[int]) -> list[Drift]:
    with transaction.atomic():
        chunk = wallet_balances_for_update(wallet_ids=wallet_ids, fields=("user_id", *BALANCES))
        return _compare(chunk, wallet_ids)


def verify_ledger(
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    wallet_ids: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LedgerReport:
    """Recompute every wallet (or those in ``wallet_ids``) from its rows.

    ``progress(done, total)`` is called after each chunk. Wallets are read in
    pk order with ``pk > last`` (keyset pagination), so memory stays flat however
    large the tables grow and each chunk's sums use the (wallet, created_at) index.
    """
    report = LedgerReport()
    wallets = Wallet.objects.order_by("pk")
    if wallet_ids is not None:
        wallets = wallets.filter(pk__in=wallet_ids)
    total = wallets.count()
    last_pk = 0
    while True:
        chunk = list(wallets.filter(pk__gt=last_pk).values_list("pk", "user_id", *BALANCES)[:chunk_size])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        ids = [row[0] for row in chunk]
        report.rows_checked += Transaction.objects.filter(wallet_id__in=ids).count()
        suspects = _compare(chunk, ids)
        if suspects:
            # The balances and the sums were read by separate statements: a money
            # operation committing in between looks like drift. Re-check the suspects
            # under their row locks (services hold the same lock while they write).
            suspects = _confirmed_drifts([d.wallet_id for d in suspects])
        report.drifts.extend(suspects)
        report.wallets_checked += len(chunk)
        if progress is not None:
            progress(report.wallets_checked, total)
    negatives = Transaction.objects.filter(Q(available_after__lt=0) | Q(staked_after__lt=0) | Q(held_after__lt=0))
    if wallet_ids is not None:
        negatives = negatives.filter(wallet_id__in=wallet_ids)
    report.negative_rows = list(negatives.order_by("pk").values_list("pk", flat=True)[:1000])
    if wallet_ids is None:
        report.journal = check_journal()
    return report


def assert_ledger_clean(**kwargs) -> LedgerReport:
    """For tests: verify and raise AssertionError naming each drift."""
    report = verify_ledger(**kwargs)
    if not report.clean:
        raise AssertionError("\n".join([report.summary(), *report.problems()]))
    return report
