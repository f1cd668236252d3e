"""Security headers (issue 9, part 6): CSP on our pages, HSTS with production
settings, Referrer-Policy, X-Content-Type-Options, X-Frame-Options, and Swagger UI
working under the CSP without 'unsafe-inline'."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from core.tests.test_deploy_check import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db

PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/challenges/", "/governance/", "/api/docs/"]
SIGNED_IN_PAGES = ["/dashboard/", "/wallet/", "/notifications/", "/subscription/", "/profile/", "/badges/"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
HSTS_SETTINGS = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT")


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def _assert_common_headers(response) -> None:
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def _assert_csp_page(response, path: str) -> None:
    assert response.status_code == 200, path
    _assert_common_headers(response)
    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    html = response.content.decode()
    # What the policy would block in a browser: inline scripts and inline styles.
    assert not INLINE_SCRIPT.search(html), f"{path} has an inline <script>"
    assert not INLINE_STYLE.search(html), f"{path} has inline style"


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_carry_csp_and_no_inline_code(path):
    _assert_csp_page(Client().get(path), path)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_carry_csp_and_no_inline_code(path, user):
    client = Client()
    client.force_login(user)
    _assert_csp_page(client.get(path), path)


def test_api_responses_carry_the_common_headers(auth_client):
    response = auth_client.get("/api/v1/wallet/")
    assert response.status_code == 200
    _assert_common_headers(response)


def test_swagger_ui_loads_under_the_csp():
    page = Client().get("/api/docs/")
    _assert_csp_page(page, "/api/docs/")
    html = page.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources  # same origin: 'self'
    for static_path in (s for s in sources if s.startswith("/static/")):
        assert finders.find(static_path.removeprefix("/static/")), static_path
    init = next(s for s in sources if s.startswith("/api/docs/"))
    script = Client().get(init)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
    schema = Client().get("/api/v1/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")


def _production_values() -> dict:
    """The HSTS/SSL settings as production settings compute them (a subprocess: the
    production module needs its environment)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OGC_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {HSTS_SETTINGS!r}}} | "
        "{'SECURE_PROXY_SSL_HEADER': list(s.SECURE_PROXY_SSL_HEADER)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_hsts_and_https_redirect_with_production_settings():
    values = _production_values()
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"] and values["SECURE_SSL_REDIRECT"]
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    with override_settings(**values):
        client = Client()
        plain = client.get("/challenges/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        secure = client.get("/challenges/", headers={"X-Forwarded-Proto": "https"})
        assert secure.status_code == 200
        assert (
            secure["Strict-Transport-Security"]
            == f"max-age={values['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
        )
