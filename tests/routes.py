"""The routes the hardening tests cover, read from the URL configuration itself.

Every route under ``/api/v1/`` and every page route except Django's admin
(``admin/``, guarded by ``is_staff`` and tested by governance) and allauth's account
pages (``accounts/``, a library's; its login lockout is in test_abuse_limits.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# /metrics is refused to every session and member (a bearer token or a network
# decides): core/tests/test_metrics.py covers it.
EXCLUDED_PREFIXES = ("admin/", "accounts/", "metrics")
SAFE_EXTRA = ("options", "head", "trace")


@dataclass(frozen=True)
class Route:
    pattern: str  # "api/v1/wallet/withdrawals/<int:withdrawal_id>/"
    name: str  # namespaced URL name, or the pattern when the route has no name
    callback: Any

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/v1/")

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def methods(self) -> list[str]:
        """The HTTP methods the view implements (class-based views), or GET and POST for
        function views (whose decorators hide the list: the tests treat a 405 that the
        legitimate caller also gets as 'not served')."""
        cls = self.view_class
        if cls is None:
            return ["GET", "POST"]
        return [m.upper() for m in cls.http_method_names if m not in SAFE_EXTRA and hasattr(cls, m)]


def _walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else pattern
            yield Route(pattern=pattern, name=name, callback=entry.callback)


def covered_routes() -> list[Route]:
    return [r for r in _walk(get_resolver(), "", ()) if not r.pattern.startswith(EXCLUDED_PREFIXES)]
