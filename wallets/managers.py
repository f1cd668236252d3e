"""The ledger row's queryset: its current state, derived from the journal.

A ``transactions`` row is written once and never updated (ledger v2, two-phase). Its
``status`` column is the status it was WRITTEN with. A row written ``pending`` settles
by a new journal entry (``JournalEntry.pending_entry`` links it to the pending one):
posted (``completed``) or voided (``canceled`` / ``failed``). So:

* the current **state** of a row is the status of its settling entry if it has one,
  else its column;
* **when** it reached that state is the settling entry's ``created_at`` (a row
  written completed: its ``completed_at``); **why** is the entry's memo (the
  rejection reason); a withdrawal's payout hash is the entry's ``external_reference``.

Rows settled in place before ledger v2 (and the demo's bulk-written history) carry
their final status in the column: for them the column is the state. Both shapes read
the same through ``with_state()`` and ``in_state()``.

Index use: ``with_state()`` LEFT JOINs ``journal_entries`` on the unique index
``(transaction_id, status)``; ``in_state()`` is an EXISTS / NOT EXISTS on the same
index (index-only), so the withdrawal queue (pending and not settled) stays a range
of ``idx_txn_status_kind`` plus one index probe per row.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import models
from django.db.models import Case, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

PENDING = "pending"
#: The statuses a settling entry gives a pending row (TigerBeetle: post, void).
SETTLED = ("completed", "canceled", "failed")
#: The annotations ``with_state()`` adds.
STATE_FIELDS = ("state", "state_at", "state_reason", "state_reference")


class TransactionQuerySet(models.QuerySet):
    def _entries(self) -> models.QuerySet:
        return self.model._meta.get_field("journal_entries").related_model._default_manager.all()

    def with_state(self) -> TransactionQuerySet:
        """Annotate ``state`` (the current status), ``state_at`` (when the row reached
        it; None while pending), ``state_reason`` (why: a rejection's reason) and
        ``state_reference`` (a withdrawal's payout hash) from the settling entry."""
        pending = Q(status=PENDING)
        text = models.CharField()
        return self.annotate(
            settling_entry=FilteredRelation("journal_entries", condition=Q(journal_entries__status__in=SETTLED))
        ).annotate(
            state=Case(
                When(pending, then=Coalesce(F("settling_entry__status"), F("status"))),
                default=F("status"),
                output_field=text,
            ),
            state_at=Case(
                When(pending, then=F("settling_entry__created_at")),
                default=F("completed_at"),
                output_field=models.DateTimeField(),
            ),
            state_reason=Case(
                When(pending, then=Coalesce(F("settling_entry__memo"), Value(""))),
                default=F("status_reason"),
                output_field=text,
            ),
            state_reference=Case(
                When(pending, then=F("settling_entry__external_reference")),
                default=F("external_reference"),
                output_field=text,
            ),
        )

    def state_q(self, *states: str) -> Q:
        """A filter on the current state without a join: EXISTS / NOT EXISTS of a
        settling entry (index ``uniq_journal_entry_txn_status``)."""
        settled = self._entries().filter(transaction_id=OuterRef("pk"))
        q = Q()
        if PENDING in states:
            q |= Q(status=PENDING) & ~Exists(settled.filter(status__in=SETTLED))
        final = [state for state in states if state != PENDING]
        if final:
            q |= Q(status__in=final) | (Q(status=PENDING) & Exists(settled.filter(status__in=final)))
        return q

    def in_state(self, *states: str) -> TransactionQuerySet:
        """Rows whose current state is one of ``states``."""
        return self.filter(self.state_q(*states))

    def unsettled(self) -> TransactionQuerySet:
        """Rows written pending that no entry has settled yet."""
        return self.in_state(PENDING)


class RowState(NamedTuple):
    state: str
    at: Any
    reason: str
    reference: str | None


def row_state(row: Any) -> RowState:
    """The current state of ``row``: its ``with_state()`` annotations (or what a service
    set after settling it), else its columns when they are final (a row written in its
    final state). A pending row read without ``with_state()`` cannot tell: refused."""
    if hasattr(row, "state"):
        return RowState(row.state, row.state_at, row.state_reason or "", row.state_reference)
    if row.status != PENDING:
        return RowState(row.status, row.completed_at, row.status_reason, row.external_reference)
    raise ValueError(f"transaction {row.pk}: read it with Transaction.objects.with_state() to know its state")


def settled_values(row: Any, *, state: str, at: Any, reason: str = "", reference: str | None = None) -> Any:
    """Give an in-memory row the annotations ``with_state()`` would read for it now
    (after a service settled it): nothing is written to the row."""
    row.state, row.state_at, row.state_reason, row.state_reference = state, at, reason, reference
    return row


def written_state(row: Any) -> Any:
    """The annotations of a row just written (its state is its column)."""
    return settled_values(
        row, state=row.status, at=row.completed_at, reason=row.status_reason, reference=row.external_reference
    )
