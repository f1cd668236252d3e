"""Schema fuzzing of our own API (issue 9, part 1): schemathesis against the WSGI app.

Every operation of ``/api/v1/schema/`` is called with generated valid and invalid
data, as a member and as an operator (each with some data of their own: a funded
wallet, an address, a pending withdrawal, notifications). Checks: no 5xx, every
status and header is documented, bodies match their schema, and data that breaks
the schema is refused (4xx).

Bounded for ``make test`` (``OGC_FUZZ_MAX_EXAMPLES``, default 5 per operation and
mode); ``make fuzz`` runs the same test with more examples.

schemathesis' WSGI transport goes through Django's request signals, whose
``close_old_connections`` would close the test's connection (and its transaction)
after each call: the ``_keep_test_connection`` fixture detaches it for the run
(STACK-NOTES).
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("OGC_FUZZ_MAX_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

pytestmark = pytest.mark.slow


@pytest.fixture
def _keep_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _with_data(user):
    """Give ``user`` rows of each kind, so generated ids sometimes hit real objects."""
    from notifications.tests.factories import NotificationFactory
    from wallets.services import deposit_create, withdrawal_request
    from wallets.tests.factories import WalletAddressFactory

    deposit_create(user=user, amount=Decimal("500"), memo="fuzz funding")
    address = WalletAddressFactory(wallet=user.wallet)
    withdrawal_request(user=user, amount=Decimal("5"), address_id=address.pk)
    NotificationFactory.create_batch(2, recipient=user)
    return user


def _token_headers(*, roles: list[str], is_staff: bool) -> dict[str, str]:
    from accounts.tests.factories import UserFactory

    user = _with_data(UserFactory(roles=roles, is_staff=is_staff))
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture
def member_headers(db, _keep_test_connection) -> dict[str, str]:
    return _token_headers(roles=["member"], is_staff=False)


@pytest.fixture
def operator_headers(db, _keep_test_connection) -> dict[str, str]:
    return _token_headers(roles=["operator"], is_staff=True)


def _load_schema():
    """Our schema, generated in-process (no request, no database: collection time)
    and bound to the WSGI app. schemathesis' lazy ``from_fixture`` loader does not run
    on pytest 9 (it reads ``Node._nodeid``), so the schema is loaded at import."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from drf_spectacular.generators import SchemaGenerator

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))
    config = schemathesis.Config.from_dict({"generation": {"mode": "all", "max-examples": MAX_EXAMPLES}})
    loaded = schemathesis.openapi.from_dict(raw, config=config)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_member(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_operator(case, operator_headers):
    case.call_and_validate(headers=operator_headers, checks=CHECKS)
