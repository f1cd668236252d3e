"""The ledger on the wallet page: its filter chips (links that change one filter and keep
the others) and its CSV export (the same filters, every matching row, streamed)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.amounts import amount_out
from wallets import selectors
from wallets.forms import LedgerPageFilter

#: The page's own query parameters that are not ledger filters (form pre-fills).
PREFILL = ("stake-amount", "unstake-amount", "withdraw-amount", "withdraw-address")


# --- the filter chips -----------------------------------------------------------------------


def _query(params: QueryDict, **changes: str | None) -> str:
    """``params`` with ``changes`` applied (None removes), without the page number."""
    query = params.copy()
    for name in ("page", *PREFILL):
        query.pop(name, None)
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@dataclass(frozen=True)
class Chip:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class ChipMenu:
    name: str
    label: str
    value: str  # the label of the current choice
    chips: list[Chip]
    active: bool


def _chip_menus(ledger: LedgerPageFilter, params: QueryDict) -> list[ChipMenu]:
    data = ledger.form.cleaned_data if ledger.is_bound and ledger.form.is_valid() else {}
    menus = []
    for name, label, everything in (
        ("kind", _("Kind"), _("All kinds")),
        ("status", _("Status"), _("All statuses")),
    ):
        current = data.get(name) or ""
        choices = [(value, text) for value, text in ledger.form.fields[name].choices if value]
        chips = [Chip(everything, _query(params, **{name: None}), not current)]
        chips += [Chip(str(text), _query(params, **{name: value}), value == current) for value, text in choices]
        value = next((chip.label for chip in chips if chip.current), everything)
        menus.append(ChipMenu(name, label, value, chips, bool(current)))
    period = data.get("period") or ""
    ranged = bool(data.get("date_from") or data.get("date_to"))
    clear = {"period": None, "date_from": None, "date_to": None}
    chips = [Chip(_("Any time"), _query(params, **clear), not period and not ranged)]
    chips += [
        Chip(str(text), _query(params, **{**clear, "period": value}), value == period)
        for value, text in ledger.form.fields["period"].choices
        if value
    ]
    if ranged:
        start, end = data.get("date_from"), data.get("date_to")
        value = f"{start or '…'} – {end or '…'}"
    else:
        value = next((chip.label for chip in chips if chip.current), _("Any time"))
    menus.append(ChipMenu("date", _("Date"), value, chips, bool(period or ranged)))
    return menus


# --- the export -----------------------------------------------------------------------------

#: CSV header, in ``selectors.EXPORT_FIELDS`` order (machine names: the file is for spreadsheets and scripts).
_AMOUNT_COLUMNS = {"amount", "available_after", "staked_after", "held_after"}
_TEXT_COLUMNS = {"chain", "destination_address", "external_reference", "memo"}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in _AMOUNT_COLUMNS:
        return amount_out(value) or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    # A spreadsheet runs a cell that starts with = + - @ (or a tab/CR) as a formula.
    if name in _TEXT_COLUMNS and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@login_required
@require_safe
def transactions_csv(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    """The member's own ledger rows (the page's filters apply), streamed as CSV."""
    user = request.user
    params = request.GET.copy()
    params.pop("page", None)
    ledger = LedgerPageFilter(params or None, queryset=selectors.transaction_list_for_user(user=user))
    if ledger.is_bound and not ledger.is_valid():
        return HttpResponse(_("Invalid filter."), status=400, content_type="text/plain; charset=utf-8")
    rows = ledger.qs if ledger.is_bound else ledger.queryset
    writer = csv.writer(_Echo())
    fields = selectors.EXPORT_FIELDS

    def lines() -> Iterator[str]:
        yield writer.writerow(fields)
        for row in selectors.transaction_export_for_user(user=user, rows=rows):
            yield writer.writerow([_cell(name, value) for name, value in zip(fields, row, strict=True)])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ogc-transactions-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
