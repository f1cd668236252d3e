"""The wallet page: balances, the ledger (filters, pagination), the stake, unstake,
withdraw and address forms. Every form posts to its own URL and calls the same
service as the API; on a refusal the page is rendered again (status 400) with
the error on the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError, NotFoundError
from core.throttling import throttle_page_post
from wallets import selectors, services
from wallets.filters import TransactionFilter
from wallets.forms import AddressForm, MoneyForm, WithdrawForm, apply_service_error

PAGE_SIZE = 20


def _page(request: HttpRequest, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    ledger = TransactionFilter(request.GET or None, queryset=selectors.transaction_list_for_user(user=user))
    rows = ledger.qs if ledger.is_bound and ledger.is_valid() else ledger.queryset
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    forms = forms or {}
    context = {
        "wallet": selectors.wallet_get_for_user(user=user),
        "ledger": ledger,
        "page": page,
        "filter_query": query.urlencode(),
        "addresses": selectors.address_list_for_user(user=user),
        "pending_withdrawals": selectors.withdrawal_list_for_user(user=user).filter(status="pending"),
        "stake_form": forms.get("stake") or MoneyForm(prefix="stake"),
        "unstake_form": forms.get("unstake") or MoneyForm(prefix="unstake"),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(prefix="withdraw", user=user),
        "address_form": forms.get("address") or AddressForm(prefix="address"),
    }
    return render(request, "wallets/wallet.html", context, status=status)


@login_required
def wallet_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _money_post(request: HttpRequest, name: str, form, call: Callable[[dict[str, Any], str], Any], done: str):
    if form.is_valid():
        key = f"page:{form.cleaned_data['token']}"
        try:
            call(form.cleaned_data, key)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("wallet")
    return _page(request, {name: form}, status=400)


def _staking_view(name: str, service: Callable[..., Any], done: str) -> Callable[[HttpRequest], HttpResponse]:
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


stake = _staking_view("stake", services.stake_create, "Staked.")
unstake = _staking_view("unstake", services.unstake_create, "Unstake started.")


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
        "Withdrawal requested: it waits for an operator's approval.",
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
        messages.success(request, "Withdrawal canceled; the amount is available again.")
    return redirect("wallet")


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
            messages.success(request, "Address added.")
            return redirect("wallet")
    return _page(request, {"address": form}, status=400)


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.address_delete(user=request.user, address_id=address_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, "Address removed.")
    return redirect("wallet")
