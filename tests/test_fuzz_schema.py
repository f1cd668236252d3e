"""The API schema is the contract (issue #13): schemathesis against the WSGI app.

Every operation of ``/api/v1/schema/`` is called with generated valid and invalid data
by three identities: an anonymous client, a member and an operator (each signed-in one
with data of its own: a funded wallet, an address, a pending withdrawal, notifications,
and for the operator a challenge with a submission and a proposal). Two passes:

- **per operation** (``test_api_as_*``): positive and negative examples of each
  operation on its own;
- **stateful** (``test_workflows_as_*``): schemathesis' state machine chains operations
  through the links it infers from the schema (an id returned by one call feeds the path
  or body of the next), so a created proposal is read, voted on and cancelled, a
  created address is used for a withdrawal, and so on.

Every check runs on every response (``CHECKS``): no 5xx, status codes, content types
and headers documented, bodies matching their schema, schema-violating input refused
(``negative_data_rejection``) and schema-valid input not refused as malformed
(``positive_data_acceptance``: a 400 for data the schema allows is a contract bug; a
403, 404, 409 or 422 is a legitimate answer about the state of things).

Bounded for ``make test`` (``OGC_FUZZ_MAX_EXAMPLES``, default 5 per operation and mode;
``OGC_FUZZ_STATEFUL_EXAMPLES`` scenarios of up to ``OGC_FUZZ_STATEFUL_STEPS`` calls);
``make fuzz`` runs the same tests longer (docs/security.md has the numbers).

schemathesis' WSGI transport goes through Django's request signals, whose
``close_old_connections`` would close the test's connection (and its transaction)
after each call: ``_keep_test_connection`` detaches it for the run (STACK-NOTES).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import api_token_for, step_up

MAX_EXAMPLES = int(os.environ.get("OGC_FUZZ_MAX_EXAMPLES", "5"))
STATEFUL_EXAMPLES = int(os.environ.get("OGC_FUZZ_STATEFUL_EXAMPLES", "15"))
STATEFUL_STEPS = int(os.environ.get("OGC_FUZZ_STATEFUL_STEPS", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
#: Answers a schema-valid request may legitimately get: success, authentication or
#: permission refusals, unknown ids, state conflicts (409), an Idempotency-Key reused
#: with another payload (422) and throttles. Never 400 (that is "your data is
#: malformed", which the schema should have said) and never 5xx.
POSITIVE_STATUSES = ["2xx", "401", "403", "404", "409", "422", "429"]

pytestmark = pytest.mark.slow

#: Responses per identity and status (``OGC_FUZZ_REPORT``: a JSON file written at the
#: end of the module, which ``make fuzz`` keeps; docs/security.md quotes it).
RESPONSES: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    path = os.environ.get("OGC_FUZZ_REPORT")
    if path:
        by_identity: dict[str, dict[str, int]] = {}
        for (identity, status), count in sorted(RESPONSES.items()):
            by_identity.setdefault(identity, {})[str(status)] = count
        report = {"requests": sum(RESPONSES.values()), "by_identity": by_identity}
        with open(path, "w") as handle:
            json.dump(report, handle, indent=2)


#: The signed-in identities' users, by their Authorization header (``_with_step_up``).
USERS: dict[str, object] = {}
#: Operations whose body carries step-up proof (core.stepup).
STEP_UP_OPERATIONS = {("POST", "/api/v1/wallet/withdrawals/"), ("POST", "/api/v1/wallet/addresses/"), ("POST", "/api/v1/auth/tokens/")}  # fmt: skip


def _with_step_up(case, headers: dict[str, str]) -> None:
    """A schema-valid body of a step-up operation carries the identity's real proof (its
    password, or an unused code when it has a second factor), so the fuzzer reaches
    past the step-up; generated proof would only ever meet the 403. Schema-violating
    bodies are left as generated (the proof must not make them valid)."""
    user = USERS.get(headers.get("Authorization", ""))
    if (
        user is None
        or (case.method.upper(), case.path) not in STEP_UP_OPERATIONS
        or not isinstance(case.body, dict)
        or case.meta is None
        or case.meta.generation.mode != GenerationMode.POSITIVE
    ):
        return
    try:
        proof = step_up(user)
    except IndexError:  # the operator's recovery codes are spent: a 403 is a fine answer too
        return
    case.body = {k: v for k, v in case.body.items() if k not in ("password", "mfa_code")} | proof


def _call_and_validate(case, identity: str, headers: dict[str, str]) -> None:
    _with_step_up(case, headers)
    response = case.call(headers=headers)
    RESPONSES[(identity, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS)


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
    headers = {"Authorization": f"Token {api_token_for(user)}"}
    USERS[headers["Authorization"]] = user
    return headers


@pytest.fixture
def anonymous_headers(db, _keep_test_connection) -> dict[str, str]:
    from accounts.tests.factories import UserFactory

    _with_data(UserFactory())  # public lists have rows to show
    return {}


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
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
        }
    )
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


def _run_workflows(identity: str, headers: dict[str, str]) -> None:
    """``STATEFUL_EXAMPLES`` scenarios of schemathesis' state machine as ``identity``.

    A scenario feeds on the responses of the live database, which the earlier scenarios
    changed, so Hypothesis can find that a replayed prefix now draws differently
    (``Flaky``: not a finding about the API). schemathesis' own runner generates only
    (no shrinking replays) and restarts on it; so does this, with the scenarios left."""
    started = Counter()

    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self):
            started["scenarios"] += 1

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            RESPONSES[(f"{identity} (stateful)", response.status_code)] += 1
            case.validate_response(response, checks=CHECKS)

    for attempt in range(6):
        left = STATEFUL_EXAMPLES - started["scenarios"]
        if left <= 0:
            return
        try:
            Workflows.run(
                settings=settings(
                    max_examples=left,
                    stateful_step_count=STATEFUL_STEPS,
                    phases=[Phase.generate],
                    deadline=None,
                    derandomize=attempt == 0,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
            return
        except Flaky:
            continue
    raise AssertionError(f"the {identity} scenarios kept restarting ({started['scenarios']} started)")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case, anonymous_headers):
    _call_and_validate(case, "anonymous", anonymous_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_member(case, member_headers):
    _call_and_validate(case, "member", member_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_operator(case, operator_headers):
    _call_and_validate(case, "operator", operator_headers)


def test_workflows_as_anonymous(anonymous_headers):
    _run_workflows("anonymous", anonymous_headers)


def test_workflows_as_member(member_headers):
    _run_workflows("member", member_headers)


def test_workflows_as_operator(operator_headers):
    _run_workflows("operator", operator_headers)
