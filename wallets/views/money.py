"""Stake, unstake, withdraw and send to another member from the wallet page, and
canceling a pending withdrawal.

Moving money takes two POSTs. The wallet's forms post to ``…/review/``: the amount is
checked and the confirmation page restates what will happen (amount, address, fee,
when it arrives); nothing moves. Its "Confirm" button posts the same fields, with the
same ``token``, to ``/wallet/stake/`` (``unstake/``, ``withdraw/``, ``send/``), which calls the
service with the token as the idempotency key: a double submit moves the money once.
On a refusal the wallet page is rendered again (status 400) with the error on the
field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.amounts import format_amount
from core.exceptions import ApplicationError, NotFoundError
from core.i18n import datetime_text
from core.stepup import withdrawal_mfa_message, withdrawal_mfa_missing
from core.throttling import throttle_page_post
from wallets import selectors, services
from wallets.forms import MoneyForm, TransferForm, WithdrawForm, apply_service_error
from wallets.models import TransactionKind, TransactionStatus, Wallet
from wallets.views.operations import OPERATIONS, Operation, _balances_after, _cooldown_hours, _cooldown_text
from wallets.views.page import _page

# --- step 1: review (nothing moves) -----------------------------------------------------------


def _review_view(op: Operation) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    @require_POST
    @reauthentication_required(enabled=op.name == "withdraw")
    def view(request: HttpRequest) -> HttpResponse:
        user = request.user
        wallet = selectors.wallet_get_for_user(user=user)
        balance = getattr(wallet, op.source)
        form = op.form(request.POST, user=user)
        if form.is_valid():
            amount = form.cleaned_data["amount"]
            if op.name == "withdraw" and withdrawal_mfa_missing(user=user, amount=amount):
                form.add_error("amount", withdrawal_mfa_message())
            elif amount > balance:
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
    for field in ("recipient", "memo"):
        if form.cleaned_data.get(field):
            change[f"{op.name}-{field}"] = form.cleaned_data[field]
    context = {
        "op": op.name,
        "wallet": wallet,
        "amount": amount,
        "amount_text": format_amount(amount),  # the hidden field: read back, never grouped
        "token": form.cleaned_data["token"],
        "address": address,
        "recipient": form.cleaned_data.get("recipient", ""),
        "memo": form.cleaned_data.get("memo", ""),
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
send_review = _review_view(OPERATIONS["send"])


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
    if selectors.transaction_state(row=row).state == TransactionStatus.PENDING and row.available_at:
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
@reauthentication_required
@throttle_page_post("money")
def withdraw(request: HttpRequest) -> HttpResponse:
    """Step-up: a re-authentication in the last ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
    seconds, or allauth's page asks for it and then resumes this POST."""
    form = WithdrawForm(request.POST, prefix="withdraw", user=request.user)
    if form.is_valid() and withdrawal_mfa_missing(user=request.user, amount=form.cleaned_data["amount"]):
        form.add_error("amount", withdrawal_mfa_message())
    return _money_post(
        request,
        "withdraw",
        form,
        lambda d, key: services.withdrawal_request(
            user=request.user, amount=d["amount"], address_id=d["address"].pk, idempotency_key=key
        ),
        _withdrawal_message,
    )


def _sent_message(row) -> str:
    return _("Sent %(amount)s. It is in the other member's wallet now.") % {"amount": _amount_text(row)}


@login_required
@require_POST
@throttle_page_post("money")
def send(request: HttpRequest) -> HttpResponse:
    form = TransferForm(request.POST, prefix="send")
    return _money_post(
        request,
        "send",
        form,
        lambda d, key: services.transfer_create(
            sender=request.user, recipient=d["recipient"], amount=d["amount"], memo=d["memo"], idempotency_key=key
        ),
        _sent_message,
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
