"""Error pages that speak JSON under ``/api/``.

Django answers a URL that no route matches (``/api/v1/proposals/abc/`` against an
``<int:pk>`` route) before DRF runs, with an HTML page. API clients get the API's
one error shape ``{code, detail, fields}`` instead, as the schema documents."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from core.exceptions import payload_too_large_error

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error("not_found", "Not found.", 404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request, exception)
    if _is_api(request):
        return _error("bad_request", "Bad request.", 400)
    return defaults.bad_request(request, exception)


def payload_too_large(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` read outside DRF (a page's form, the
    CSRF middleware reading a POST for its token): 413, not Django's 400. Rendered
    without a request, like the 400 page."""
    error = payload_too_large_error()
    if _is_api(request):
        return _error(error.code, error.message, error.status_code)
    page = loader.get_template("413.html").render({"detail": error.message})
    return HttpResponse(page, status=error.status_code)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _error("permission_denied", "You do not have permission to perform this action.", 403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _error("server_error", "Server error.", 500)
    return defaults.server_error(request)
