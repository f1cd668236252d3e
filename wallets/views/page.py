"""The wallet page itself: balance tiles with the total, the deposit address and its QR
code, the balance chart, the ledger (filtered, paginated), the stake / unstake /
withdraw forms with their "Max" links, the withdrawal addresses. The money and
addresses views render it again (status 400) when a form is refused."""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.amounts import format_amount
from core.charts import StepSeries, step_chart
from core.i18n import DATETIME_FORMAT
from wallets import selectors
from wallets.forms import AddressForm, LedgerPageFilter, new_token
from wallets.models import Wallet
from wallets.views.history import PREFILL, _chip_menus, _query
from wallets.views.operations import OPERATIONS, _cooldown_hours, _cooldown_text

PAGE_SIZE = 20
#: How far back the balance chart looks (or since the wallet was opened, if later).
CHART_DAYS = 90
#: The chart's text alternative: one row per this many days.
CHART_TABLE_STEP_DAYS = 7


def _deposit_qr(address: str) -> SafeString:
    """The deposit address as a QR code, inline SVG (black on white in both themes: the
    colours are SVG attributes, not styles, so the CSP has nothing to block)."""
    qr = segno.make(address, error="m")
    svg = qr.svg_inline(scale=1, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None, omitsize=True)
    label = escape(_("QR code of your deposit address"))
    # segno's output is markup of its own making from a hex address; only the label is ours (escaped).
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def _chart(wallet: Wallet, user: Any) -> dict[str, Any]:
    """The balance chart, its summary and its table, from ``balance_series_for_user``."""
    now = timezone.now()
    opened = wallet.created_at
    if now - opened < timedelta(days=CHART_DAYS):  # a young wallet: its whole life, and a margin before it
        since = opened - max((now - opened) / 20, timedelta(minutes=5))
    else:
        since = now - timedelta(days=CHART_DAYS)
    points = selectors.balance_series_for_user(user=user, since=since, until=now)
    series = [
        StepSeries(key, label, [(p.at, getattr(p, key)) for p in points])
        for key, label in (("available", _("Available")), ("staked", _("Staked")), ("held", _("Held")))
    ]
    chart = step_chart(series, start=since, end=now)
    times = [p.at for p in points]

    def at(moment):
        return points[max(bisect_right(times, moment) - 1, 0)]

    step = timedelta(days=CHART_TABLE_STEP_DAYS)
    moments = []
    moment = now
    while moment > since:
        moments.append(moment)
        moment -= step
    rows = [(moment, at(moment)) for moment in [since, *reversed(moments)]]
    peak = max(points, key=lambda p: (p.total, p.at))
    return {
        "chart": chart,
        # In the member's time zone (active for the request), like every date on the page.
        "chart_start": date_format(
            timezone.localtime(since), "Y-m-d" if now - since > timedelta(days=2) else DATETIME_FORMAT
        ),
        "chart_first": at(since),
        "chart_last": points[-1],
        "chart_peak": peak,
        "chart_rows": rows,
        "chart_moves": sum(1 for p in points if p.event != "start"),
    }


def _page(request: HttpRequest, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    wallet = selectors.wallet_get_for_user(user=user)
    params = request.GET
    filter_data = params.copy()
    for name in ("page", *PREFILL):
        filter_data.pop(name, None)
    ledger = LedgerPageFilter(filter_data or None, queryset=selectors.transaction_list_for_user(user=user))
    rows = ledger.qs if ledger.is_bound and ledger.is_valid() else ledger.queryset
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = list(page.object_list)
    counterparts = selectors.transfer_counterparts(page.object_list)
    for row in page.object_list:  # "Sent to …" / "Received from …" under the kind
        row.counterpart = counterparts.get(row.pk, "")
    forms = forms or {}
    for name, op in OPERATIONS.items():
        if name not in forms:  # "Change" on the confirmation page and "Max" come back pre-filled
            prefill = {
                field: params[f"{name}-{field}"]
                for field in ("amount", "address", "recipient", "memo")
                if params.get(f"{name}-{field}")
            }
            forms[name] = op.form(user=user, initial={"token": new_token(), **prefill})
    holdings = {
        "stake": _("You have %(amount)s %(symbol)s available."),
        "unstake": _("You have %(amount)s %(symbol)s staked."),
        "withdraw": _("You have %(amount)s %(symbol)s available."),
        "send": _("You have %(amount)s %(symbol)s available."),
    }
    max_amounts = {}
    for name, op in OPERATIONS.items():
        balance = getattr(wallet, op.source)
        # The field's hint (components/field_messages.html renders help text unescaped).
        forms[name].fields["amount"].help_text = escape(
            holdings[name] % {"amount": format_amount(balance, grouping=True), "symbol": wallet.token_symbol}
        )
        # "Max": a link that reloads the page with it filled in (no JavaScript needed); wallet.js fills it in place.
        max_amounts[name] = format_amount(balance) if balance > 0 else ""
    export_query = _query(params)
    context = {
        "wallet": wallet,
        "ledger": ledger,
        "page": page,
        "filter_query": _query(params)[1:],
        "chip_menus": _chip_menus(ledger, params),
        "export_url": f"/wallet/transactions.csv{export_query if export_query != '?' else ''}",
        "addresses": list(selectors.address_list_for_user(user=user)),
        "pending_withdrawals": selectors.withdrawal_list_for_user(user=user).in_state("pending"),
        "stake_form": forms["stake"],
        "unstake_form": forms["unstake"],
        "withdraw_form": forms["withdraw"],
        "send_form": forms["send"],
        "address_form": forms.get("address") or AddressForm(prefix="address"),
        "max": max_amounts,
        "cooldown": _cooldown_text(_cooldown_hours()) if _cooldown_hours() else "",
        "deposit_qr": _deposit_qr(wallet.deposit_address),
        **_chart(wallet, user),
    }
    return render(request, "wallets/wallet.html", context, status=status)


@login_required
@require_safe
def wallet_page(request: HttpRequest) -> HttpResponse:
    return _page(request)
