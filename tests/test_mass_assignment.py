"""Mass assignment (issue 9, part 3), generated from the OpenAPI schema.

For every POST/PUT/PATCH operation of ``/api/v1/``: the protected fields
(``tests/endpoint_policy.PROTECTED_FIELDS``: balances, status, user, wallet,
is_staff, scores, amounts paid...) are not part of its documented input (unless
``PROTECTED_FIELD_INPUTS`` says why), and a request carrying them is refused with a
400 naming each one (``core.serializers.StrictInputSerializer``). Operations without a
request body must ignore them: the caller's flags and balances stay as they were.

The caller is a superuser (every role) who owns the objects the URL names
(built by the policy's factory), so that neither a role nor ownership is what refuses.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.tests.factories import SuperuserFactory, api_token_for
from tests.endpoint_policy import POLICIES, PROTECTED_FIELD_INPUTS, PROTECTED_FIELDS, idempotency_headers

WRITE_METHODS = ("post", "put", "patch")
SENTINEL_AMOUNT = "987654.321"


def _sentinel(name: str):
    if name.startswith("is_"):
        return False  # the caller is a superuser: demoting would show
    if name in ("available", "staked", "held", "balance", "amount_paid", "score", "weight"):
        return SENTINEL_AMOUNT
    if name.endswith("_id") or name in ("user", "wallet", "reviewer", "author", "created_by", "awarded_by", "rank"):
        return 1
    if name == "groups":
        return [1]
    return "completed"


def _load_schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder))


SCHEMA = _load_schema()


def _request_properties(operation: dict) -> set[str] | None:
    body = operation.get("requestBody")
    if not body:
        return None
    names: set[str] = set()
    for media in body.get("content", {}).values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        names |= {name for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")}
    return names


def _operations() -> list[tuple[str, str, set[str] | None]]:
    return [
        (method.upper(), path, _request_properties(operation))
        for path, item in SCHEMA["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
    ]


OPERATIONS = _operations()


def _policy(path: str, method: str, kwargs_probe: str):
    match = resolve(kwargs_probe)
    policy = POLICIES.get(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    return policy.get(method) if isinstance(policy, dict) else policy


def _url(path: str, method: str, caller) -> str:
    probe = path
    for name in ("slug", "pk", "id", "withdrawal_id", "address_id", "transaction_id"):
        probe = probe.replace("{" + name + "}", "x" if name == "slug" else "1")
    policy = _policy(path, method, probe)
    kwargs = policy.kwargs_for(caller) if policy else {}
    if "pk" in kwargs:
        kwargs.setdefault("id", kwargs["pk"])
    url = path
    for name, value in kwargs.items():
        url = url.replace("{" + name + "}", str(value))
    return url


def test_protected_fields_are_not_documented_inputs():
    exposed = []
    for method, path, properties in OPERATIONS:
        allowed = PROTECTED_FIELD_INPUTS.get((method, path), frozenset())
        for name in sorted((properties or set()) & set(PROTECTED_FIELDS) - allowed):
            exposed.append(f"{method} {path}: {name}")
    assert not exposed, "Protected fields accepted as input:\n" + "\n".join(exposed)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "properties"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_protected_fields_are_refused_or_ignored(method: str, path: str, properties: set[str] | None):
    caller = SuperuserFactory()
    from wallets.services import deposit_create

    deposit_create(user=caller, amount=Decimal("100"), memo="mass assignment fixture")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(caller)}")
    url = _url(path, method, caller)
    allowed = PROTECTED_FIELD_INPUTS.get((method, path), frozenset())
    sent = {name: _sentinel(name) for name in PROTECTED_FIELDS if name not in (properties or set()) | allowed}

    response = getattr(client, method.lower())(url, sent, format="json", **idempotency_headers())
    assert response.status_code < 500, f"{method} {url}: {response.status_code}"

    if properties is not None:  # a documented body: the strict serializer must name each field
        assert response.status_code == 400, f"{method} {url} took protected fields: {response.status_code}"
        refused = set(response.json().get("fields", {}))
        assert set(sent) <= refused, f"{method} {url}: not refused: {sorted(set(sent) - refused)}"
        return
    # No documented body: whatever was sent must have changed nothing it names.
    caller.refresh_from_db()
    caller.wallet.refresh_from_db()
    assert caller.is_staff and caller.is_superuser and caller.is_active, f"{method} {url} changed the caller's flags"
    for balance in ("available", "staked", "held"):
        assert getattr(caller.wallet, balance) != Decimal(SENTINEL_AMOUNT), f"{method} {url} set {balance}"
