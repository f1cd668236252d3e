"""The subscription page (/subscription/): current plan and period, cancel or
reactivate, and the plan chooser with prices. Every POST calls the same service
as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.throttling import throttle_page_post
from subscriptions import selectors, services
from subscriptions.forms import CancelForm, SubscribeForm

SUBSCRIBE_MESSAGES = {
    "started": _("Your %(plan)s plan has started."),
    "upgraded": _("You are now on the %(plan)s plan."),
    "downgrade_scheduled": _("Your plan changes to %(plan)s at the end of the current period."),
    "downgrade_unscheduled": _("The scheduled plan change was dropped; you stay on %(plan)s."),
}


def _page(request: HttpRequest, *, subscribe_form: SubscribeForm | None = None, status: int = 200) -> HttpResponse:
    from wallets.models import Wallet

    subscription = selectors.subscription_for_user(user=request.user)
    context = {
        "subscription": subscription,
        "grants_access": subscription.grants_access() if subscription else False,
        "grace_ends_at": (
            subscription.past_due_since + services.grace_period()
            if subscription and subscription.past_due_since
            else None
        ),
        "plans": selectors.plan_list(),
        "periods": selectors.subscription_periods(subscription=subscription)[:12] if subscription else [],
        "wallet": Wallet.objects.filter(user=request.user).first(),
        "subscribe_form": subscribe_form or SubscribeForm(),
    }
    return render(request, "subscriptions/subscription.html", context, status=status)


@login_required
def subscription_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
@throttle_page_post("money")
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, subscribe_form=form, status=400)
    try:
        result = services.subscription_subscribe(
            user=request.user, plan_code=form.cleaned_data["plan"], auto_renew=form.cleaned_data["auto_renew"]
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, subscribe_form=form, status=400)
    plan = result.subscription.scheduled_plan or result.subscription.plan
    messages.success(request, SUBSCRIBE_MESSAGES[result.action] % {"plan": plan.local_name})
    return redirect("subscription_page")


def _act(request: HttpRequest, operation, success: str) -> HttpResponse:
    """Run a one-click operation; its refusal or success becomes a message."""
    try:
        operation()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("subscription_page")


@login_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    form = CancelForm(request.POST)
    form.is_valid()  # a lone optional checkbox: always valid
    at_period_end = form.cleaned_data.get("at_period_end", False)
    return _act(
        request,
        lambda: services.subscription_cancel(user=request.user, at_period_end=at_period_end),
        _("Your subscription was canceled."),
    )


@login_required
@require_POST
def reactivate(request: HttpRequest) -> HttpResponse:
    return _act(
        request, lambda: services.subscription_reactivate(user=request.user), _("Your subscription will renew again.")
    )
