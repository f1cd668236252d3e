"""Authorization matrix, generated from the URL configuration (issue 9, part 2).

For every route and method (``tests/routes.py``) and its policy
(``tests/endpoint_policy.py``):

- owner: another member calling with the owner's ids is refused (404 or 403), and
  the owner, calling right after with the same ids, is not (so the ids were real);
- staff: a member is refused (403; pages may redirect to login), the role holder is not;
- self, shared, owner, staff: an anonymous caller is refused;
- public: an anonymous caller is not asked to authenticate.

``test_every_endpoint_is_classified`` fails naming each route without a policy.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory, UserFactory, api_token_for
from core.permissions import ROLE_MEMBER
from tests.endpoint_policy import POLICIES, Policy, idempotency_headers
from tests.routes import Route, covered_routes

REFUSED = {403, 404}


def policy_for(route: Route, method: str) -> Policy | None:
    policy = POLICIES.get(route.name)
    if isinstance(policy, dict):
        return policy.get(method)
    return policy


def _cases() -> list[tuple[Route, str]]:
    return [(route, method) for route in covered_routes() for method in route.methods()]


CASES = _cases()


def test_every_endpoint_is_classified():
    missing = sorted(
        f"{route.name} [{method}] ({route.pattern})" for route, method in CASES if policy_for(route, method) is None
    )
    assert not missing, "Classify these endpoints in tests/endpoint_policy.py:\n" + "\n".join(missing)


def test_every_policy_names_a_route():
    names = {route.name for route, _ in CASES}
    stale = sorted(set(POLICIES) - names)
    assert not stale, f"Policies for routes that no longer exist: {stale}"


def _client(route: Route, user) -> Client:
    """An API client with a real token, or a page client with a session."""
    if route.is_api:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(route: Route, method: str, user, kwargs: dict, payload: dict | None = None):
    client = _client(route, user)
    url = reverse(route.name, kwargs=kwargs or None)
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url)
    extra = idempotency_headers() if method == "POST" else {}
    if route.is_api:
        return call(url, payload or {}, format="json", **extra)
    return call(url, payload or {}, **extra)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def _refused_anonymous(route: Route, response) -> bool:
    """401/403 (or a redirect to login on pages); a 404 hides the object as well."""
    if route.is_api:
        return response.status_code in (401, 403, 404)
    return _login_redirect(response) or response.status_code in (401, 403, 404)


def _member():
    return UserFactory(roles=[ROLE_MEMBER])


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{m} {r.pattern}" for r, m in CASES])
def test_endpoint_refuses_what_its_policy_refuses(route: Route, method: str):
    policy = policy_for(route, method)
    if policy is None:
        pytest.fail(f"{route.name} [{method}] is not classified (see test_every_endpoint_is_classified)")
    owner_user = _member()
    kwargs = policy.kwargs_for(owner_user)
    payload = policy.payload(owner_user) if policy.payload else None
    label = f"{method} {reverse(route.name, kwargs=kwargs or None)}"

    anonymous = _call(route, method, None, kwargs, payload)
    assert anonymous.status_code < 500, label
    if policy.kind == "public":
        assert anonymous.status_code not in (401, 403) and not _login_redirect(anonymous), (
            f"{label}: public endpoint asked for authentication"
        )
        return
    if anonymous.status_code != 405:
        assert _refused_anonymous(route, anonymous), f"{label}: anonymous got {anonymous.status_code}"

    if policy.kind == "owner":
        stranger = _call(route, method, _member(), kwargs, payload)
        mine = _call(route, method, owner_user, kwargs, payload)
        if stranger.status_code == 405 and mine.status_code == 405:
            return  # the view does not serve this method
        assert stranger.status_code in REFUSED, (
            f"{label}: another user's id answered {stranger.status_code}: {stranger.content[:300]!r}"
        )
        assert mine.status_code not in REFUSED | {405}, (
            f"{label}: the owner was refused ({mine.status_code}); the policy's factory built a bad id"
        )
    elif policy.kind == "staff":
        member = _call(route, method, _member(), kwargs, payload)
        holder = StaffFactory(roles=[policy.role])
        allowed = _call(route, method, holder, kwargs, payload)
        if member.status_code == 405 and allowed.status_code == 405:
            return
        refused = member.status_code == 403 or (not route.is_api and _login_redirect(member))
        assert refused, f"{label}: a member got {member.status_code}, expected 403"
        assert allowed.status_code not in (401, 403), (
            f"{label}: the {policy.role} was refused ({allowed.status_code}): {allowed.content[:300]!r}"
        )
    else:  # self, shared: any signed-in member may call
        response = _call(route, method, owner_user, kwargs, payload)
        assert response.status_code < 500, label
        assert response.status_code not in (401, 403), f"{label}: a member was refused ({response.status_code})"
