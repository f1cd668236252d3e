"""DRF's scoped throttle for server-rendered POSTs.

The money-moving page forms (wallet stake/unstake/withdraw, subscribe) call the same
services as the API; without this they bypassed the API's ``money`` throttle. The
cache key is DRF's own (``throttle_<scope>_<user id>``), so a member's page and API
POSTs draw on one budget (``OGC_THROTTLE_<SCOPE>``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import ScopedRateThrottle


def throttle_page_post(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer 429 (with ``Retry-After``) once the user exceeds the ``scope`` rate."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            throttle = ScopedRateThrottle()
            # The stub wants a DRF Request and an APIView; ScopedRateThrottle only reads
            # request.user, request.META and view.throttle_scope, which these provide.
            view_like = SimpleNamespace(throttle_scope=scope)
            if request.method == "POST" and not throttle.allow_request(request, view_like):  # type: ignore[arg-type]
                response = HttpResponse(
                    "Too many requests: wait a moment, then try again.", status=429, content_type="text/plain"
                )
                wait = throttle.wait()
                if wait is not None:
                    response["Retry-After"] = str(max(1, math.ceil(wait)))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
