"""The wallet page, the money screen: balance tiles with the total, how tokens arrive
(deposit address, its QR code), balances over time, stake / unstake / withdraw with a
"Max" button and a confirmation step, the ledger with filter chips and its CSV export,
withdrawal addresses.

Moving money takes two POSTs. The wallet's forms post to ``…/review/``: the amount is
checked and the confirmation page restates what will happen (amount, address, fee,
when it arrives); nothing moves. Its "Confirm" button posts the same fields, with the
same ``token``, to ``/wallet/stake/`` (``unstake/``, ``withdraw/``), which calls the
service with the token as the idempotency key: a double submit moves the money once.
On a refusal the wallet page is rendered again (status 400) with the error on the
field."""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from core.amounts import EXACT, amount_out, format_amount
from core.charts import StepSeries, step_chart
from core.exceptions import ApplicationError, NotFoundError
from core.i18n import DATETIME_FORMAT, datetime_text
from core.throttling import throttle_page_post
from wallets import selectors, services
from wallets.forms import AddressForm, LedgerPageFilter, MoneyForm, WithdrawForm, apply_service_error, new_token
from wallets.models import Direction, TransactionKind, TransactionStatus, Wallet

PAGE_SIZE = 20
#: How far back the balance chart looks (or since the wallet was opened, if later).
CHART_DAYS = 90
#: The chart's text alternative: one row per this many days.
CHART_TABLE_STEP_DAYS = 7
#: The page's own query parameters that are not ledger filters (form pre-fills).
PREFILL = ("stake-amount", "unstake-amount", "withdraw-amount", "withdraw-address")


# --- the three money operations ----------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """Stake, unstake or withdraw: its form, where its amount comes from and how the
    ledger will move it (``selectors.ledger_effect``)."""

    name: str  # the form prefix and URL segment
    source: str  # the balance the amount is taken from: "available" or "staked"
    kind: str
    direction: str

    def form(self, data: Any = None, *, user: Any, initial: dict[str, Any] | None = None) -> MoneyForm:
        kwargs: dict[str, Any] = {"prefix": self.name}
        if initial:
            kwargs["initial"] = initial
        if self.name == "withdraw":
            return WithdrawForm(data, user=user, **kwargs)
        return MoneyForm(data, **kwargs)

    def status(self) -> str:
        """The status the service will write: a withdrawal waits for an operator, an
        unstake for its cool-down (if any), a stake is done at once."""
        if self.kind == TransactionKind.STAKE:
            return TransactionStatus.COMPLETED
        if self.kind == TransactionKind.UNSTAKE and not _cooldown_hours():
            return TransactionStatus.COMPLETED
        return TransactionStatus.PENDING


OPERATIONS = {
    "stake": Operation("stake", "available", TransactionKind.STAKE, Direction.INTERNAL),
    "unstake": Operation("unstake", "staked", TransactionKind.UNSTAKE, Direction.INTERNAL),
    "withdraw": Operation("withdraw", "available", TransactionKind.WITHDRAWAL, Direction.DEBIT),
}


def _cooldown_hours() -> int:
    return int(getattr(settings, "OGC_UNSTAKE_COOLDOWN_HOURS", 0) or 0)


def _cooldown_text(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _balances_after(wallet: Wallet, op: Operation, amount: Decimal) -> dict[str, Decimal]:
    effect = selectors.ledger_effect(kind=op.kind, status=op.status(), direction=op.direction)
    now = (wallet.available, wallet.staked, wallet.held)
    after = [
        EXACT.add(balance, EXACT.multiply(Decimal(sign), amount)) for balance, sign in zip(now, effect, strict=True)
    ]
    return dict(zip(("available", "staked", "held"), after, strict=True))


# --- the wallet page -----------------------------------------------------------------------


def _deposit_qr(address: str) -> SafeString:
    """The deposit address as a QR code, inline SVG (black on white in both themes: the
    colours are SVG attributes, not styles, so the CSP has nothing to block)."""
    qr = segno.make(address, error="m")
    svg = qr.svg_inline(scale=1, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None, omitsize=True)
    label = escape(_("QR code of your deposit address"))
    # segno's output is markup of its own making from a hex address; only the label is ours (escaped).
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


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
    forms = forms or {}
    for name, op in OPERATIONS.items():
        if name not in forms:  # "Change" on the confirmation page and "Max" come back pre-filled
            prefill = {
                field: params[f"{name}-{field}"] for field in ("amount", "address") if params.get(f"{name}-{field}")
            }
            forms[name] = op.form(user=user, initial={"token": new_token(), **prefill})
    holdings = {
        "stake": _("You have %(amount)s %(symbol)s available."),
        "unstake": _("You have %(amount)s %(symbol)s staked."),
        "withdraw": _("You have %(amount)s %(symbol)s available."),
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
        "pending_withdrawals": selectors.withdrawal_list_for_user(user=user).filter(status="pending"),
        "stake_form": forms["stake"],
        "unstake_form": forms["unstake"],
        "withdraw_form": forms["withdraw"],
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


# --- step 1: review (nothing moves) -----------------------------------------------------------


def _review_view(op: Operation) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        user = request.user
        wallet = selectors.wallet_get_for_user(user=user)
        balance = getattr(wallet, op.source)
        form = op.form(request.POST, user=user)
        if form.is_valid():
            amount = form.cleaned_data["amount"]
            if amount > balance:
                source = _("available") if op.source == "available" else _("staked")
                form.add_error(
                    "amount",
                    _("You have %(balance)s %(symbol)s %(source)s: enter that much or less.")
                    % {
                        "balance": format_amount(balance, grouping=True),
                        "symbol": wallet.token_symbol,
                        "source": source,
                    },
                )
            else:
                return _confirm_page(request, op, wallet, form)
        return _page(request, {op.name: form}, status=400)

    view.__name__ = f"{op.name}_review"
    return view


def _confirm_page(request: HttpRequest, op: Operation, wallet: Wallet, form: MoneyForm) -> HttpResponse:
    amount = form.cleaned_data["amount"]
    cooldown = _cooldown_hours() if op.kind == TransactionKind.UNSTAKE else 0
    address = form.cleaned_data.get("address")
    change = QueryDict(mutable=True)
    change[f"{op.name}-amount"] = format_amount(amount)
    if address is not None:
        change["withdraw-address"] = str(address.pk)
    context = {
        "op": op.name,
        "wallet": wallet,
        "amount": amount,
        "amount_text": format_amount(amount),  # the hidden field: read back, never grouped
        "token": form.cleaned_data["token"],
        "address": address,
        "after": _balances_after(wallet, op, amount),
        "cooldown": _cooldown_text(cooldown) if cooldown else "",
        "available_at": timezone.now() + timedelta(hours=cooldown) if cooldown else None,
        "change_url": f"/wallet/?{change.urlencode()}#{op.name}-form",
        "action": f"/wallet/{op.name}/",
    }
    return render(request, "wallets/confirm.html", context)


stake_review = _review_view(OPERATIONS["stake"])
unstake_review = _review_view(OPERATIONS["unstake"])
withdraw_review = _review_view(OPERATIONS["withdraw"])


# --- step 2: confirm (the money moves, once per token) --------------------------------------


def _money_post(request: HttpRequest, name: str, form, call: Callable[[dict[str, Any], str], Any], done):
    if form.is_valid():
        key = f"page:{form.cleaned_data['token']}"
        try:
            row = call(form.cleaned_data, key)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, done(row))
            return redirect("wallet")
    return _page(request, {name: form}, status=400)


def _amount_text(row) -> str:
    return format_amount(row.amount, grouping=True, symbol=True)


def _staked_message(row) -> str:
    return _("Staked %(amount)s.") % {"amount": _amount_text(row)}


def _unstaked_message(row) -> str:
    if row.status == TransactionStatus.PENDING and row.available_at:
        return _("Unstaked %(amount)s: it is back in Available on %(when)s.") % {
            "amount": _amount_text(row),
            "when": datetime_text(row.available_at),
        }
    return _("Unstaked %(amount)s: it is in Available now.") % {"amount": _amount_text(row)}


def _withdrawal_message(row) -> str:
    return _("Withdrawal of %(amount)s requested: it waits for an operator's approval.") % {"amount": _amount_text(row)}


def _staking_view(name: str, service: Callable[..., Any], done) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    @require_POST
    @throttle_page_post("money")
    def view(request: HttpRequest) -> HttpResponse:
        form = MoneyForm(request.POST, prefix=name)
        return _money_post(
            request,
            name,
            form,
            lambda d, key: service(user=request.user, amount=d["amount"], idempotency_key=key),
            done,
        )

    view.__name__ = name
    return view


stake = _staking_view("stake", services.stake_create, _staked_message)
unstake = _staking_view("unstake", services.unstake_create, _unstaked_message)


@login_required
@require_POST
@throttle_page_post("money")
def withdraw(request: HttpRequest) -> HttpResponse:
    form = WithdrawForm(request.POST, prefix="withdraw", user=request.user)
    return _money_post(
        request,
        "withdraw",
        form,
        lambda d, key: services.withdrawal_request(
            user=request.user, amount=d["amount"], address_id=d["address"].pk, idempotency_key=key
        ),
        _withdrawal_message,
    )


@login_required
@require_POST
@throttle_page_post("money")
def withdrawal_cancel(request: HttpRequest, withdrawal_id: int) -> HttpResponse:
    try:
        services.withdrawal_cancel(user=request.user, withdrawal_id=withdrawal_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Withdrawal canceled; the amount is available again."))
    return redirect("wallet")


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


# --- addresses ------------------------------------------------------------------------------


@login_required
@require_POST
def address_add(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST, prefix="address")
    if form.is_valid():
        try:
            services.address_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Address added."))
            return redirect("wallet")
    return _page(request, {"address": form}, status=400)


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.address_delete(user=request.user, address_id=address_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Address removed."))
    return redirect("wallet")
