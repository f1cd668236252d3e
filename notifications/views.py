"""Pages: the inbox, the preferences page and the menu's unread count (an htmx fragment).

Mark read and mark all read are plain POSTs answered with a redirect; under htmx the
same POSTs are answered with the fragment that changed (the row, or the list) and the
menu's unread count, so the inbox updates in place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.exceptions import ApplicationError, NotFoundError
from notifications.forms import PreferencesForm
from notifications.selectors import notification_list, notification_url, preference_matrix
from notifications.services import notification_mark_all_read, notification_mark_read, preferences_update

INBOX_PAGE_SIZE = 25


def _login_required_htmx(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``login_required``, except that htmx is told to load the login page (a redirect
    would be followed by fetch and the login page swapped into the inbox)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and request.htmx:
            return HttpResponseClientRedirect(redirect_to_login("/notifications/").url)
        return login_required(view)(request, *args, **kwargs)

    return wrapper


def _inbox_state(data) -> tuple[bool, str | None]:
    """The inbox's filter and page, from the query string or the POSTed hidden fields."""
    page = data.get("page")
    return data.get("unread") in ("1", "true"), page if page and page.isdigit() else None


def _inbox_page(request: HttpRequest, *, unread_only: bool, page_number: str | None) -> Page:
    page = Paginator(
        notification_list(user=request.user, unread=True if unread_only else None), INBOX_PAGE_SIZE
    ).get_page(page_number)
    for notification in page.object_list:
        notification.url = notification_url(notification=notification)
    return page


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only, page_number = _inbox_state(request.GET)
    page = _inbox_page(request, unread_only=unread_only, page_number=page_number)
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    unread_only, page_number = _inbox_state(request.POST)
    query = {key: value for key, value in (("unread", "1" if unread_only else ""), ("page", page_number)) if value}
    return redirect(f"/notifications/?{urlencode(query)}" if query else "notifications_inbox")


@_login_required_htmx
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = notification_mark_read(user=request.user, notification_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        notification.url = notification_url(notification=notification)
        unread_only, page_number = _inbox_state(request.POST)
        context = {"notification": notification, "unread_only": unread_only, "page_number": page_number}
        return render(request, "notifications/_marked_read.html", context)
    return _back_to_inbox(request)


@_login_required_htmx
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = notification_mark_all_read(user=request.user)
    text = ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", marked) % {
        "count": marked
    }
    if request.htmx:
        unread_only, page_number = _inbox_state(request.POST)
        page = _inbox_page(request, unread_only=unread_only, page_number=page_number)
        context = {"page": page, "unread_only": unread_only, "status_message": text}
        return render(request, "notifications/_marked_all_read.html", context)
    messages.success(request, text)
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
            messages.success(request, gettext("Notification preferences saved."))
            return redirect("notifications_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
