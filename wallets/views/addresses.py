"""The member's withdrawal addresses: add one, remove one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError, NotFoundError
from wallets import services
from wallets.forms import AddressForm, apply_service_error
from wallets.views.page import _page


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
