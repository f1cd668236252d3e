"""The schema says what the server does (issue #13): each contract gap the long fuzz
found, pinned.

The rule the API follows (docs/security.md, "Statuses"):

- **400**: the request breaks the schema (a pattern, a type, an unknown field);
- **409**: the request is well-formed but the state of things refuses it (not enough
  funds, an address or email already taken, a challenge that is closed);
- **422**: the request matches the schema but a rule the schema cannot express refuses
  it (an address checksum, a weak password, a link whose host is not valid, turning off
  security notifications in the app) — and an Idempotency-Key reused with another body.

So a client (and schemathesis' ``positive_data_acceptance``) never sees a 400 for data
the schema allows."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import UserFactory, step_up
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from conftest import make_token_client
from governance.tests.factories import staked_member
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

GOOD_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


@pytest.fixture(scope="module")
def openapi():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder))


def component(openapi, name):
    return openapi["components"]["schemas"][name]


# --- what the schema says ---------------------------------------------------------------


def test_request_bodies_that_refuse_unknown_fields_say_so(openapi):
    for name in ("SignupInputRequest", "WithdrawalInputRequest", "AddressInputRequest", "ProposalInputRequest"):
        assert component(openapi, name)["additionalProperties"] is False, name


def test_a_positive_amount_is_the_amount_pattern_and_not_zero(openapi):
    amount = component(openapi, "AmountInputRequest")["properties"]["amount"]
    assert amount["pattern"].startswith("^[0-9]")
    assert amount["not"] == {"pattern": r"^0+(?:\.0+)?$"}


def test_time_zones_are_listed_and_text_refuses_nul(openapi):
    profile = component(openapi, "PatchedProfileInputRequest")["properties"]
    assert profile["timezone"]["allOf"] == [{"$ref": "#/components/schemas/TimezoneEnum"}]
    assert "Europe/Berlin" in component(openapi, "TimezoneEnum")["enum"]
    assert profile["display_name"]["pattern"] == r"^[^\u0000]*$"
    assert profile["country"]["oneOf"][0]["pattern"] == "^[A-Z]{2}$"  # a validator's own pattern wins
    assert [branch.get("pattern") for branch in profile["avatar_url"]["oneOf"]] == [r"^https?://[!-~]+$", None]


def test_required_text_is_not_blank_once_trimmed(openapi):
    """DRF trims text, then refuses a blank required field: the schema says the same,
    with Python's whitespace spelled out (engines disagree on ``\\s``)."""
    import re

    from core.schema import NOT_BLANK_PATTERN

    reason = component(openapi, "WithdrawalRejectInputRequest")["properties"]["reason"]
    assert reason["pattern"] == NOT_BLANK_PATTERN
    pattern = re.compile(NOT_BLANK_PATTERN)
    every_space = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    assert not any(pattern.fullmatch(space * 2) for space in every_space)
    assert pattern.fullmatch(" why \u000b")


def test_a_review_score_is_an_unsigned_decimal_string(openapi):
    score = component(openapi, "ReviewInputRequest")["properties"]["score"]
    assert score["pattern"] == r"^[0-9]{1,8}(?:\.[0-9]{1,4})?$" and score["nullable"] is True


def test_preferences_need_at_least_one_item(openapi):
    assert component(openapi, "PreferencesInputRequest")["properties"]["preferences"]["minItems"] == 1


def test_error_statuses_are_documented_per_operation(openapi):
    """Every operation: 400, 401, 403, 404, 429. Writes also 409 and 422; operations
    that read a body also 413. Reads document no 409/422/413 (they cannot answer them)."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path)
            writes = method in {"post", "put", "patch", "delete"}
            assert ({"409", "422"} <= codes) == writes, (method, path, codes)
            if "requestBody" in operation:
                assert "413" in codes, (method, path)
            if method == "get":
                assert "413" not in codes, (method, path)


def test_a_rewards_replay_answers_a_documented_200(openapi):
    responses = openapi["paths"]["/api/v1/challenges/{slug}/rewards/"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)


# --- what the server answers ------------------------------------------------------------


def test_every_proposal_response_carries_its_vote_count():
    author = staked_member("100")
    client = make_token_client(author)
    created = client.post(
        "/api/v1/proposals/",
        {
            "title": "Fund the docs",
            "body": "Pay writers.",
            "choices": ["yes", "no"],
            "voting_ends_at": "2099-01-01T00:00:00Z",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["vote_count"] == 0
    pk = created.json()["id"]
    assert client.get(f"/api/v1/proposals/{pk}/").json()["vote_count"] == 0
    assert client.post(f"/api/v1/proposals/{pk}/cancel/").json()["vote_count"] == 0


def test_a_submission_without_a_link_answers_a_blank_string_documented_as_text(openapi):
    submission = SubmissionFactory(link="")
    body = (
        make_token_client(submission.user)
        .get(f"/api/v1/challenges/{submission.challenge.slug}/submissions/{submission.pk}/")
        .json()
    )
    assert body["link"] == ""
    assert "format" not in component(openapi, "SubmissionOutput")["properties"]["link"]


def test_a_taken_email_at_signup_is_409_and_a_weak_password_422(api_client):
    UserFactory(email="taken@example.com")
    taken = api_client.post(
        "/api/v1/auth/signup/",
        {"email": "TAKEN@example.com", "password": "a-long-unusual-passphrase-42"},
        format="json",
    )
    assert (taken.status_code, taken.json()["code"], list(taken.json()["fields"])) == (409, "email_taken", ["email"])
    weak = api_client.post("/api/v1/auth/signup/", {"email": "new@example.com", "password": "12345678"}, format="json")
    assert (weak.status_code, weak.json()["code"], list(weak.json()["fields"])) == (422, "weak_password", ["password"])


def test_not_enough_funds_and_a_taken_address_are_409():
    user = funded_user("10")
    client = make_token_client(user)
    address = WalletAddressFactory(wallet=user.wallet)
    short = client.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "11", "address_id": address.pk, **step_up(user)},
        format="json",
        HTTP_IDEMPOTENCY_KEY="contract-short-1",
    )
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_funds")
    again = client.post(
        "/api/v1/wallet/addresses/",
        {"chain": address.chain, "address": address.address, **step_up(user)},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "address_taken")


def test_an_address_breaking_the_pattern_is_400_and_a_bad_checksum_422():
    user = UserFactory()
    client, proof = make_token_client(user), step_up(user)
    spaced = client.post("/api/v1/wallet/addresses/", {"address": f" {GOOD_ADDRESS} ", **proof}, format="json")
    assert spaced.status_code == 400 and "address" in spaced.json()["fields"]
    typo = GOOD_ADDRESS[:-1] + "D"  # mixed case, last letter's case flipped: checksum fails
    checksum = client.post("/api/v1/wallet/addresses/", {"address": typo, **proof}, format="json")
    assert (checksum.status_code, checksum.json().get("code")) == (422, "invalid_checksum"), checksum.content
    assert (
        client.post("/api/v1/wallet/addresses/", {"address": GOOD_ADDRESS, **proof}, format="json").status_code == 201
    )


def test_links_shape_is_400_and_an_invalid_host_422():
    client = make_token_client(UserFactory())
    assert client.patch("/api/v1/me/", {"avatar_url": "https://a b.example"}, format="json").status_code == 400
    long_label = "https://" + "a" * 64 + ".example/avatar.png"  # a host label over 63 characters
    invalid = client.patch("/api/v1/me/", {"avatar_url": long_label}, format="json")
    assert (invalid.status_code, invalid.json()["code"], list(invalid.json()["fields"])) == (
        422,
        "invalid_link",
        ["avatar_url"],
    )
    ok = client.patch("/api/v1/me/", {"avatar_url": "https://cdn.example/me.png"}, format="json")
    assert ok.json()["avatar_url"] == "https://cdn.example/me.png"


def test_nul_in_text_is_400():
    response = make_token_client(UserFactory()).patch("/api/v1/me/", {"display_name": "a\u0000b"}, format="json")
    assert response.status_code == 400 and "display_name" in response.json()["fields"]


def test_turning_off_security_notifications_in_the_app_is_422():
    response = make_token_client(UserFactory()).put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "security", "channel": "in_app", "enabled": False}]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "preference_locked")


def test_a_challenge_not_yet_started_refuses_a_submission_with_409():
    challenge = ChallengeFactory(starts_at=timezone.now() + timedelta(days=1))
    response = make_token_client(funded_user("5")).post(
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        {"title": "Early", "content": "Too early."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="contract-early-1",
    )
    assert (response.status_code, response.json()["code"]) == (409, "challenge_not_started")


def test_refusals_write_nothing():
    user = funded_user("10")
    before = (user.wallet.available, Decimal(user.wallet.held))
    make_token_client(user).post(
        "/api/v1/wallet/stake/", {"amount": "11"}, format="json", HTTP_IDEMPOTENCY_KEY="contract-stake-1"
    )
    user.wallet.refresh_from_db()
    assert (user.wallet.available, Decimal(user.wallet.held)) == before
