"""The double-entry side of the ledger in the console, read-only like every ledger row:

* **System accounts** (``LedgerAccount``): the supply report on top of the list (where
  every token came from and where it is, the revenue of the last twelve months, an
  alert with the amount when the books do not add up), then each account with its
  balance (the sum of its lines: accounts cache no balance, so there is no hot row);
  an account's page lists its latest lines.
* **Journal entries**: the balanced entries (a big table like the transactions list),
  each with its lines and a link to the member's ledger row it belongs to.

Nobody adds, edits or deletes any of it here (database triggers refuse it anyway)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin import ConsoleAdminMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, amount_html, pill, when_html
from core.amounts import ZERO, amount_sum_field, format_amount
from wallets import selectors
from wallets.models import JournalEntry, JournalLine, LedgerAccount

#: Lines shown on a system account's page (newest first).
RECENT_LINES = 25


def _side(line: JournalLine) -> str:
    """Whose balance a line moves: a system account by name, or a member's bucket."""
    if line.account_id:
        url = reverse("admin:wallets_ledgeraccount_change", args=[line.account_id])
        return format_html('<a href="{}">{}</a>', url, line.account_id)
    url = reverse("admin:wallets_wallet_change", args=[line.wallet_id])
    return format_html('<a href="{}">wallet #{}</a> · {}', url, line.wallet_id, line.get_bucket_display().lower())


def _lines_table(lines: list[JournalLine], *, entry_links: bool = False) -> str:
    if not lines:
        return "—"
    rows = format_html_join(
        "",
        "<tr>{}<td>{}</td><td class='ogc-num'>{}</td></tr>",
        (
            (
                format_html(
                    "<td><a href='{}'>entry #{}</a></td>",
                    reverse("admin:wallets_journalentry_change", args=[line.entry_id]),
                    line.entry_id,
                )
                if entry_links
                else "",
                _side(line),
                amount_html(line.amount, symbol=False),
            )
            for line in lines
        ),
    )
    head = mark_safe("<th>entry</th>") if entry_links else ""
    return format_html(
        "<table class='ogc-lines'><thead><tr>{}<th>account</th><th class='ogc-num'>amount</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        head,
        rows,
    )


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code_col", "kind", "floor", "balance_col", "closed")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    ordering = ("kind", "code")
    fields = ("code", "name", "kind", "may_go_negative", "created_at", "closed_at", "balance_col", "recent_lines")
    readonly_fields = fields
    change_list_template = "admin/wallets/ledgeraccount/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(balance=Coalesce(Sum("lines__amount"), ZERO, output_field=amount_sum_field()))
        )

    def changelist_view(self, request, extra_context=None):
        supply = selectors.supply_totals()
        extra_context = {
            **(extra_context or {}),
            "supply_lines": [
                (label, format_amount(getattr(supply, name), grouping=True, symbol=True))
                for label, name in selectors.SUPPLY_LINES
            ],
            "supply_gap": format_amount(supply.gap, grouping=True, symbol=True) if supply.gap else "",
            "revenue_months": [
                (month, format_amount(amount, grouping=True, symbol=True))
                for month, amount in selectors.revenue_by_month()
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="code", ordering="code")
    def code_col(self, obj: LedgerAccount) -> str:
        return format_html('<span class="ogc-code">{}</span>', obj.code)

    @admin.display(description="may go below zero", boolean=True)
    def floor(self, obj: LedgerAccount) -> bool:
        return obj.may_go_negative

    @admin.display(description="balance", ordering="balance")
    def balance_col(self, obj: LedgerAccount) -> str:
        balance = getattr(obj, "balance", None)
        if balance is None:
            balance = obj.lines.aggregate(total=Sum("amount"))["total"] or ZERO
        return amount_html(balance)

    @admin.display(description="closed", ordering="closed_at")
    def closed(self, obj: LedgerAccount) -> str:
        return when_html(obj.closed_at) if obj.closed_at else "open"

    @admin.display(description=f"latest {RECENT_LINES} lines")
    def recent_lines(self, obj: LedgerAccount) -> str:
        lines = list(obj.lines.order_by("-entry_id", "-pk")[:RECENT_LINES])
        return _lines_table(lines, entry_links=True)


@admin.register(JournalEntry)
class JournalEntryAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "when", "kind", "status_col", "ledger_row", "by", "reference")
    list_filter = ("kind", "status", "created_at")
    search_fields = ("=id", "=transaction__id", "=reference")
    search_help_text = "An entry id, a transaction id or an exact reference (a chain hash, challenge:12)."
    prefetch = (Prefetch("actor"),)
    fields = ("kind", "status_col", "ledger_row", "by", "memo", "reference", "created_at", "entry_lines")
    readonly_fields = fields

    @admin.display(description="when", ordering="created_at")
    def when(self, obj: JournalEntry) -> str:
        return when_html(obj.created_at)

    @admin.display(description="status", ordering="status")
    def status_col(self, obj: JournalEntry) -> str:
        return pill(obj.status, obj.get_status_display())

    @admin.display(description="ledger row")
    def ledger_row(self, obj: JournalEntry) -> str:
        if obj.transaction_id is None:
            return "— (between system accounts)"
        url = reverse("admin:wallets_transaction_change", args=[obj.transaction_id])
        return format_html('<a href="{}">#{}</a>', url, obj.transaction_id)

    @admin.display(description="by")
    def by(self, obj: JournalEntry) -> str:
        return obj.actor.email if obj.actor_id and obj.actor else "system"

    @admin.display(description="lines (they add up to zero)")
    def entry_lines(self, obj: JournalEntry) -> str:
        return _lines_table(list(obj.lines.order_by("pk")))
