"""The member's withdrawal addresses: add one, remove one, confirm one from the emailed
link (a page with a button: opening a link changes nothing, mail scanners open links)."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError, NotFoundError
from wallets import services
from wallets.forms import AddressForm, apply_service_error
from wallets.views.page import _page


@login_required
@require_POST
@reauthentication_required
def address_add(request: HttpRequest) -> HttpResponse:
    """Step-up: a recent re-authentication (allauth asks, then resumes this POST)."""
    form = AddressForm(request.POST, prefix="address")
    if form.is_valid():
        try:
            services.address_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Address added. Confirm it from the link we emailed you; it can receive withdrawals after that."),
            )
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


@login_required
@require_http_methods(["GET", "POST"])
def address_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a page asking to confirm (a GET changes nothing), then the POST.
    A link that is not the signed-in member's, forged, expired or for a removed address is
    a 404 page saying so (the same for each); a second use says it is already confirmed."""
    try:
        if request.method != "POST":
            address = services.address_for_confirmation(user=request.user, token=token)
            return render(request, "wallets/address_confirm.html", {"address": address})
        address = services.address_confirm(user=request.user, token=token)
    except ApplicationError as exc:
        status = 404 if exc.code == "confirmation_invalid" else exc.status_code
        return render(request, "wallets/address_confirm.html", {"error": exc.message}, status=status)
    messages.success(
        request,
        _("Address %(address)s confirmed. %(state)s.") % {"address": address.address, "state": address.state_label()},
    )
    return redirect("wallet")
