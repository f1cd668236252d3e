"""The operator console: Django's admin site with a dashboard per role and one search box.

Why the stock admin and not django-unfold: our CSP is strict (``script-src 'self'``,
``style-src 'self'``, no inline code); unfold's Alpine.js needs ``'unsafe-eval'``
unless its CSP build is used, and it replaces the templates our environment banner,
action forms and queue pages extend. The stock admin with our own index, a small
stylesheet and server-rendered SVG charts needs no script at all (docs/operations.md).

Core knows no app, so the dashboard is built from registries the apps fill in their
``admin.py`` (the same shape as ``core.integrity.register_check``):

* ``register_tile`` — "what needs doing": a count, a detail (a sum, an age), a state
  (ok / attention / alert) and a link to the filtered queue;
* ``register_chart`` — a 30-day series (volumes, sign-ups, active challenges), drawn as
  SVG on the server with a data table as its text alternative;
* ``register_search`` — what the global search (``/admin/search/?q=``) looks in.

Each entry names the permissions that show it (any of them; superusers see all), so the
roles' dashboards follow ``accounts/roles.py``: an operator sees the money queues, a
moderator the review queue, an auditor every count and check but no action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

#: Tile states, in order of urgency (the CSS colours them).
OK, IDLE, ATTENTION, ALERT = "ok", "idle", "attention", "alert"
CHART_DAYS = 30
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Tile:
    """One "what needs doing" tile. ``value`` is the big number (or word); ``url`` the
    queue it opens (already filtered); ``action`` the link's words."""

    title: str
    value: str
    detail: str = ""
    url: str = ""
    state: str = IDLE
    action: str = "Open"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int]


@dataclass(frozen=True)
class Chart:
    """Daily values over ``days`` (oldest first), one list per series; ``unit`` is
    appended to numbers ("OGC"), ``summary`` is the sentence a screen reader hears first."""

    title: str
    days: Sequence[date]
    series: Sequence[Series]
    summary: str
    unit: str = ""
    url: str = ""
    money: bool = False


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class _Entry:
    name: str
    order: int
    permissions: tuple[str, ...]
    function: Callable[..., Any]

    def visible_to(self, user: Any) -> bool:
        return user.is_active and (user.is_superuser or any(user.has_perm(p) for p in self.permissions))


@dataclass
class _Registry:
    entries: dict[str, _Entry] = field(default_factory=dict)

    def register(self, name: str, *, order: int, permissions: Sequence[str]) -> Callable:
        def decorator(function: Callable) -> Callable:
            existing = self.entries.get(name)
            if existing is not None and existing.function is not function:
                raise ValueError(f"{name!r} is already registered.")
            self.entries[name] = _Entry(name, order, tuple(permissions), function)
            return function

        return decorator

    def for_user(self, user: Any) -> list[_Entry]:
        return sorted((e for e in self.entries.values() if e.visible_to(user)), key=lambda e: (e.order, e.name))


tiles = _Registry()
charts = _Registry()
searches = _Registry()


def register_tile(name: str, *, order: int, permissions: Sequence[str]) -> Callable:
    """Decorator: ``function(request) -> Tile | None`` is a dashboard tile (None hides it)."""
    return tiles.register(name, order=order, permissions=permissions)


def register_chart(name: str, *, order: int, permissions: Sequence[str]) -> Callable:
    """Decorator: ``function(start: datetime, days: list[date]) -> Chart`` is a dashboard chart."""
    return charts.register(name, order=order, permissions=permissions)


def register_search(name: str, *, order: int, permissions: Sequence[str]) -> Callable:
    """Decorator: ``function(query: str, limit: int) -> list[SearchHit]`` is a global-search section."""
    return searches.register(name, order=order, permissions=permissions)


def queue_tile(
    request: HttpRequest,
    *,
    title: str,
    count: int,
    detail: str,
    queue_url: str,
    list_url: str,
    permission: str,
    urgent: bool = False,
    action: str = "Review the queue",
) -> Tile:
    """A "things waiting" tile: opens the work queue for who holds ``permission`` (the
    one that acts), the filtered read-only list for everyone else (auditors)."""
    can_act = request.user.has_perm(permission)
    return Tile(
        title=title,
        value=f"{count:,}",
        detail=detail if count else "",
        url=queue_url if can_act else list_url,
        state=(ALERT if urgent else ATTENTION) if count else OK,
        action=action if can_act else "View",
    )


def chart_window(now: datetime | None = None, days: int = CHART_DAYS) -> tuple[datetime, list[date]]:
    """The charts' window: the last ``days`` UTC days, today included; its first instant."""
    now = now or timezone.now()
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    return start, [first + timedelta(days=n) for n in range(days)]


def daily(rows: Sequence[tuple[date | datetime, Any]], days: Sequence[date], zero: Any = 0) -> list[Any]:
    """Values per day for ``days`` from ``(day, value)`` rows (missing days are ``zero``)."""
    by_day = {(d.date() if isinstance(d, datetime) else d): v for d, v in rows}
    return [by_day.get(day, zero) or zero for day in days]


def _cached_chart(entry: _Entry, start: datetime, days: list[date]) -> Chart:
    """A chart's series, kept in the cache for ``OGC_CONSOLE_CHART_CACHE_SECONDS``
    (default 600): a 30-day aggregate over the ledger costs ~0.1-0.2 s at 200,000 rows
    and need not be fresher than the tiles' live counts. 0 turns the cache off."""
    timeout = int(getattr(settings, "OGC_CONSOLE_CHART_CACHE_SECONDS", 600))
    if timeout <= 0:
        return entry.function(start, days)
    key = f"console:chart:{entry.name}:{days[0].isoformat()}:{len(days)}"
    chart = cache.get(key)
    if chart is None:
        chart = entry.function(start, days)
        cache.set(key, chart, timeout)
    return chart


class ConsoleAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results that say who someone is: "ada@example.com — Ada" (the
    User admin's ``__str__`` is the email alone)."""

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, str]:
        result = super().serialize_result(obj, to_field_name)
        name = getattr(obj, "display_name", "")
        if name:
            result["text"] = f"{result['text']} — {name}"
        return result


class ConsoleAdminSite(admin.AdminSite):
    """The admin site of the project (``core.admin_apps.ConsoleAdminConfig`` makes it
    ``django.contrib.admin.site``): its index is the dashboard, ``search/`` the search."""

    site_header = "OGC NewFinity operator console"
    site_title = "OGC NewFinity admin"
    index_template = "admin/console/index.html"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The console has no password form of its own: signing in is allauth's login
        (allauth's ``secure_admin_login``), so the second factor, the lockout and the
        new-device email apply to operators as to members (docs/security.md)."""
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return ConsoleAutocompleteJsonView.as_view(admin_site=self)(request)  # type: ignore[return-value]

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        user = getattr(request, "user", None)
        context["console_search"] = bool(user is not None and user.is_authenticated and searches.for_user(user))
        return context

    def get_urls(self) -> list:
        return [
            path("search/", self.admin_view(self.search_view), name="console_search"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        user = request.user
        start, days = chart_window()
        context = {
            "tiles": [tile for entry in tiles.for_user(user) if (tile := entry.function(request)) is not None],
            "charts": [_cached_chart(entry, start, days) for entry in charts.for_user(user)],
            "can_search": bool(searches.for_user(user)),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)

    def search_view(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:200]
        sections = []
        entries = searches.for_user(request.user)
        if len(query) >= SEARCH_MIN_LENGTH:
            for entry in entries:
                hits = entry.function(query, SEARCH_LIMIT)
                sections.append({"title": entry.name, "hits": hits, "more": len(hits) >= SEARCH_LIMIT})
        context = {
            **self.each_context(request),
            "title": "Search",
            "query": query,
            "sections": sections,
            "searched": len(query) >= SEARCH_MIN_LENGTH,
            "too_short": bool(query) and len(query) < SEARCH_MIN_LENGTH,
            "min_length": SEARCH_MIN_LENGTH,
            "where": [entry.name for entry in entries],
            "found": sum(len(s["hits"]) for s in sections),
        }
        return TemplateResponse(request, "admin/console/search.html", context)
