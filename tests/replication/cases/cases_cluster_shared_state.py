"""Nothing per node (issue #20 item 3): two gunicorn web nodes on the same primary,
replica and Redis cache. A money throttle counted on one node is enforced by the other
(the counter is in the shared cache); a login lockout whose failures were split between
the nodes locks the account on both (axes' attempts are rows of the primary); a session
created by signing in on one node is valid on the other, and signing out on the other
ends it on the first (sessions are rows of the primary). Each check would pass a
per-node count or session store only by failing here: 4 money POSTs per minute allowed
in all, not 4 per node; 3 failures in all, not 3 per node."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import redis
from django.db import connection, connections

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import make_token_client
from tests.live_gunicorn import GunicornServer, mysql_url
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

REDIS = "redis://127.0.0.1:6379/11"
MONEY_PER_MINUTE = 4
FAILURE_LIMIT = 3


@pytest.fixture
def webs(pair, tmp_path):
    namespace = f"ogc-shared-{uuid.uuid4().hex[:8]}"
    (tmp_path / "mail").mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.replication.cases.cluster_web_settings",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "DATABASE_REPLICA_URLS": mysql_url(connections["replica"].settings_dict),
        "CACHE_URL": REDIS,
        "DRAMATIQ_BROKER_URL": REDIS,
        "OGC_TEST_REDIS_NAMESPACE": namespace,
        "OGC_TEST_EMAIL_DIR": str(tmp_path / "mail"),
        "OGC_TEST_THROTTLE_MONEY": f"{MONEY_PER_MINUTE}/min",
        "OGC_LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
    }
    servers = [GunicornServer(env=env, workers=1) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"*{namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()


def _api(server: GunicornServer, path: str, body: dict, headers: dict | None = None) -> int:
    status, _ = server.request(
        "POST",
        path,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    return status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Browser:
    """One cookie jar across both nodes (cookies are per host, not per port: as behind a
    load balancer)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def open(self, server: GunicornServer, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location)."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(f"http://127.0.0.1:{server.port}{path}", data=data, timeout=30) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")


def test_throttles_lockouts_and_sessions_hold_across_web_nodes(pair, webs):
    a, b = webs
    pair.wait_caught_up()

    # 1. The money throttle: 4 transfers a minute in all, whichever node answers.
    sender, recipient = funded_user("100"), UserFactory()
    auth = {"Authorization": make_token_client(sender)._credentials["HTTP_AUTHORIZATION"]}
    statuses = [
        _api(
            (a, b)[n % 2],
            "/api/v1/wallet/transfers/",
            {"recipient": recipient.email, "amount": "1"},
            {**auth, "Idempotency-Key": f"shared-throttle-{n}"},
        )
        for n in range(MONEY_PER_MINUTE + 2)
    ]
    assert statuses == [201] * MONEY_PER_MINUTE + [429, 429], statuses

    # 2. A session made on node A is valid on node B; signing out on B ends it on A.
    member = UserFactory()
    browser = Browser()
    assert browser.open(b, "/dashboard/")[0] == 302  # anonymous: sent to sign in
    status, page, _ = browser.open(a, "/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, location = browser.open(
        a, "/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert (status, location) == (302, "/dashboard/")
    assert browser.open(b, "/dashboard/")[0] == 200
    assert browser.open(a, "/dashboard/")[0] == 200
    assert browser.open(b, "/accounts/logout/", {"csrfmiddlewaretoken": browser.csrf()})[0] == 302
    assert browser.open(a, "/dashboard/")[0] == 302

    # 3. The lockout (last: it also locks this client's address): 2 failures on A and 1
    #    on B lock the account; the right password is then refused by both nodes.
    victim = UserFactory()
    wrong = {"email": victim.email, "password": "wrong-password-0"}
    assert [_api(node, "/api/v1/auth/token/", wrong) for node in (a, a)] == [401, 401]  # refused, not locked
    assert _api(b, "/api/v1/auth/token/", wrong) == 429
    right = {"email": victim.email, "password": DEFAULT_PASSWORD}
    assert [_api(node, "/api/v1/auth/token/", right) for node in (a, b)] == [429, 429]
