"""Journal ledger rows that were written in bulk around the posting path (the demo
builder and the benches write whole histories with multi-row INSERTs): each row gets
the entries ``posting`` would have written for it, from the live EFFECTS table. The
data migration ``0007_journal_history`` did the same, once, for the rows written
before double entry (with its frozen copy of the table)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from wallets.ledger import entry_lines
from wallets.models import JournalEntry, JournalLine, Transaction
from wallets.services.posting import K, S, _line_rows, _shape

CHUNK = 2_000


def _went_pending(row: Transaction) -> bool:
    """A withdrawal always starts pending; an unstake does when it had a cool-down."""
    return row.kind == K.WITHDRAWAL or (row.kind == K.UNSTAKE and row.available_at is not None)


def _entries_of(row: Transaction) -> list[tuple[JournalEntry, str | None]]:
    """The row's entries (unsaved), each with the status it settles the row from."""

    def entry(status: str, *, at, actor_id: int | None, memo: str) -> JournalEntry:
        return JournalEntry(
            kind=row.kind,
            status=status,
            transaction=row,
            actor_id=actor_id,
            memo=memo[:500],
            reference=row.external_reference or "",
            created_at=at,
        )

    if row.status == S.PENDING or not _went_pending(row):
        return [(entry(row.status, at=row.created_at, actor_id=row.actor_id, memo=row.memo), None)]
    return [
        (entry(S.PENDING, at=row.created_at, actor_id=row.actor_id, memo=row.memo), None),
        (entry(row.status, at=row.completed_at or row.created_at, actor_id=None, memo=row.status_reason), S.PENDING),
    ]


def _receiving_wallets(chunk: list[Transaction]) -> dict[int, int]:
    """``{sent transfer id: the receiving row's wallet}`` for the transfers in ``chunk``."""
    sent = [row.pk for row in chunk if row.kind == K.TRANSFER_OUT]
    if not sent:
        return {}
    pairs = Transaction.objects.filter(
        kind=K.TRANSFER_IN, source_type=ContentType.objects.get_for_model(Transaction), source_id__in=sent
    ).values_list("source_id", "wallet_id")
    return {source_id: wallet_id for source_id, wallet_id in pairs if source_id is not None}


@transaction.atomic
def journal_unjournaled_rows() -> int:
    """Write the entries of every ledger row that has none; returns how many entries.
    A received transfer has none of its own: its line is in the sent transfer's entry."""
    journaled = JournalEntry.objects.filter(transaction__isnull=False).values("transaction_id")
    rows = Transaction.objects.exclude(pk__in=journaled).exclude(kind=K.TRANSFER_IN).order_by("pk")
    written, last = 0, 0
    while chunk := list(rows.filter(pk__gt=last)[:CHUNK]):
        last = chunk[-1].pk
        planned = [(row, entry, previous) for row in chunk for entry, previous in _entries_of(row)]
        counterparts = _receiving_wallets(chunk)
        JournalEntry.objects.bulk_create([entry for _, entry, _ in planned])
        lines = [
            JournalLine(**line)
            for row, entry, previous in planned
            for line in _line_rows(
                entry.pk,
                row,
                entry_lines(**_shape(row), status=entry.status, previous_status=previous),
                counterpart_wallet_id=counterparts.get(row.pk),
            )
        ]
        JournalLine.objects.bulk_create(lines, batch_size=CHUNK)
        written += len(planned)
    return written
