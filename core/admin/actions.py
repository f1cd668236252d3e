"""How the console acts on rows: the read-only mixin (nobody edits a record here; the
actions call the owning app's services), the per-row action runner, the intermediate
page of an action that needs input, and the safe "next" URL the queues return to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from core.exceptions import ApplicationError

T = TypeVar("T")


class ReadOnlyAdminMixin:
    """For records nobody edits in the admin (ledger rows, audit entries, votes,
    delivery states): viewing stays governed by the ``view`` permission; adding,
    changing and deleting are refused to everyone, superusers included. Changes
    happen only through the owning app's services (admin actions call those)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def run_admin_action(
    modeladmin: Any,
    request: HttpRequest,
    rows: Iterable[T],
    *,
    operation: Callable[[T], str | None],
    label: Callable[[T], str] = str,
    success: Callable[[int], str] | None = None,
) -> int:
    """The one loop behind every per-row admin action: ``operation(row)`` (one service
    call) runs in its own transaction for each row, so one refusal neither stops nor
    undoes the others; the service writes the audit entry. An operation may return a
    sentence about its row (reported as "<label>: <sentence>"); ``success(count)`` says
    what the successful rows add up to; refusals are listed in one error message, each
    with its row's label and reason. Returns how many rows succeeded."""
    done = 0
    refused: list[str] = []
    for row in rows:
        try:
            with transaction.atomic():
                outcome = operation(row)
        except ApplicationError as exc:
            exc.run_on_rollback()  # e.g. the audit entry of a refused approval
            refused.append(f"{label(row)}: {exc.message}")
            continue
        done += 1
        if outcome:
            modeladmin.message_user(request, f"{label(row)}: {outcome}", messages.SUCCESS)
    if done and success is not None:
        modeladmin.message_user(request, success(done), messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, "Refused: " + "; ".join(refused), messages.ERROR)
    return done


def safe_next_url(request: HttpRequest, default: str) -> str:
    """``next`` (query or form) when it points back into this site, else ``default``:
    the queues' buttons return to the page (filters, search) they were pressed on."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def action_form_page(
    modeladmin: Any,
    request: HttpRequest,
    *,
    template: str,
    title: str,
    form: Any,
    rows: Any,
    action_name: str,
    back_url: str,
    **extra: Any,
) -> TemplateResponse:
    """The intermediate page of a bulk action that needs input (a reason, a score, a
    number of days): it lists the selected rows and posts them back to the action."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "rows": rows,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "action_name": action_name,
        "opts": modeladmin.model._meta,
        "back_url": back_url,
        **extra,
    }
    return TemplateResponse(request, template, context)
