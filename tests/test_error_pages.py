"""Error pages: the site's are branded HTML pages (templates/400|403|404|500.html),
the API's stay the JSON error shape {code, detail, fields} (core/error_views.py)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from core import error_views
from tests.test_security_headers import INLINE_SCRIPT, INLINE_STYLE

pytestmark = pytest.mark.django_db


def _code(response) -> str:
    return json.loads(response.content)["code"]


def _branded(response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert heading in html
    assert "img/logo" in html and "css/site" in html  # our layout, not Django's bare page
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)  # the CSP would block them
    return html


def test_unknown_page_is_the_branded_404_with_the_menu(client):
    html = _branded(client.get("/no-such-page/"), 404, "Page not found")
    assert 'class="site-nav"' in html and "Log in" in html


def test_unknown_api_url_keeps_the_json_error(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [("/wallet/", 403, "You cannot see this page"), ("/api/v1/wallet/", 403, None)],
)
def test_permission_denied(rf, user, path, status, heading):
    request = rf.get(path)
    request.user = user
    response = error_views.permission_denied(request, PermissionDenied())
    if heading:
        html = _branded(response, status, heading)
        assert "Go to your dashboard" in html
    else:
        assert response.status_code == status and _code(response) == "permission_denied"


def test_server_error_page_needs_no_request_context(rf, django_assert_num_queries):
    """Django renders 500.html without context processors: the page must not need
    them (no menu, no user) nor touch the database."""
    with django_assert_num_queries(0):
        response = error_views.server_error(rf.get("/wallet/"))
    html = _branded(response, 500, "Sorry, there is a problem with the service")
    assert 'class="site-nav"' not in html
    api = error_views.server_error(rf.get("/api/v1/wallet/"))
    assert api.status_code == 500 and _code(api) == "server_error"


def test_bad_request_page(rf):
    _branded(error_views.bad_request(rf.get("/wallet/"), Exception()), 400, "Something in the request was wrong")
    assert _code(error_views.bad_request(rf.get("/api/v1/wallet/"), Exception())) == "bad_request"


def test_404_for_a_missing_object_uses_the_same_page(user):
    client = Client()
    client.force_login(user)
    _branded(client.post("/wallet/withdrawals/999999/cancel/"), 404, "Page not found")
