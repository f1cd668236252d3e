"""Pages: the inbox, the preferences page and the menu's unread count (an htmx fragment)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, NotFoundError
from notifications.forms import PreferencesForm
from notifications.selectors import notification_list, preference_matrix
from notifications.services import notification_mark_all_read, notification_mark_read, preferences_update


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") in ("1", "true")
    page = Paginator(notification_list(user=request.user, unread=True if unread_only else None), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    return redirect("/notifications/?unread=1" if request.POST.get("unread") == "1" else "notifications_inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification_mark_read(user=request.user, notification_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = notification_mark_all_read(user=request.user)
    messages.success(request, f"{marked} notification(s) marked read.")
    return _back_to_inbox(request)


@never_cache
@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The menu's unread count alone, polled by htmx every 30 s: one COUNT query (the
    context processor's). Only htmx asks for it; a browser gets the inbox (or the login
    page). When the session has ended, htmx gets an empty badge that polls no more."""
    if not request.htmx:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return redirect("notifications_inbox")
    return render(request, "notifications/_unread_badge.html")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, matrix=preference_matrix(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences_update(user=request.user, changes=form.changes())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
