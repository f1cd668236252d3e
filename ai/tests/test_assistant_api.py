"""The paid assistant's API: estimate, create (Idempotency-Key), list, detail; the
status rule for bad input, missing funds, limits and another member's requests."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from ai.models import AIRequest
from ai.tests.assistant_helpers import DRAFT, balances, challenge, member, proposal
from wallets.models import Transaction

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _feedback(ch, draft=DRAFT):
    return {"feature": "draft_feedback", "challenge": ch.slug, "draft": draft}


def test_estimate_holds_nothing_and_prices_the_request():
    user, ch = member(), challenge()
    response = _client(user).post("/api/v1/ai/estimate/", _feedback(ch), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["feature"] == "draft_feedback" and body["provider"] == "local"
    assert Decimal(body["estimated_cost"]) == Decimal(body["to_hold"]) > 0
    assert balances(user) == (Decimal("10"), Decimal("0"))
    assert not AIRequest.objects.exists()


def test_create_requires_an_idempotency_key_and_replays_the_first_answer():
    user, ch = member(), challenge()
    client = _client(user)
    missing = client.post("/api/v1/ai/requests/", _feedback(ch), format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_required")
    first = client.post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="ask-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["status"] == "queued" and body["hold_transaction_id"] is not None
    assert Decimal(body["held_amount"]) == Decimal(body["estimated_cost"])
    replay = client.post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="ask-1")
    assert (replay.status_code, replay.json()["id"]) == (201, body["id"])
    assert Transaction.objects.filter(kind="service_hold", user=user).count() == 1


def test_a_summary_request_names_the_proposal():
    user, prop = member(), proposal()
    response = _client(user).post(
        "/api/v1/ai/requests/",
        {"feature": "proposal_summary", "proposal_id": prop.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="s-1",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["proposal_id"] == prop.pk


@pytest.mark.parametrize("draft", ["", "   ", "x" * 20_001])
def test_empty_or_oversized_text_is_400_naming_the_limit(draft):
    user, ch = member(), challenge()
    for path in ("/api/v1/ai/estimate/", "/api/v1/ai/requests/"):
        response = _client(user).post(path, _feedback(ch, draft), format="json", HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 400, response.json()
        assert "20000" in response.json()["fields"]["draft"][0]
    assert not AIRequest.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"feature": "poem"},
        {"feature": "proposal_summary", "proposal_id": 0},
        {"feature": "proposal_summary", "proposal_id": 1, "cost": "0"},
        {"feature": "draft_feedback", "challenge": "not a slug!", "draft": "text"},
    ],
)
def test_input_outside_the_schema_is_400(payload):
    response = _client(member()).post("/api/v1/ai/requests/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"feature": "proposal_summary"}, "proposal_id"),
        ({"feature": "proposal_summary", "proposal_id": 1, "draft": "text"}, "draft"),
        ({"feature": "draft_feedback", "draft": "text"}, "challenge"),
        ({"feature": "draft_feedback", "challenge": "garden"}, "draft"),
    ],
)
def test_a_field_the_feature_lacks_or_does_not_use_is_422(payload, field):
    response = _client(member()).post("/api/v1/ai/requests/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422, response.json()
    assert list(response.json()["fields"]) == [field]
    assert not AIRequest.objects.exists()


def test_without_funds_it_is_409_insufficient_funds_and_nothing_is_held():
    user, ch = member(available="0.01"), challenge()
    response = _client(user).post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_funds")
    assert not AIRequest.objects.exists()
    assert not Transaction.objects.filter(kind="service_hold").exists()
    assert balances(user) == (Decimal("0.01"), Decimal("0"))


def test_the_rate_limit_is_429(settings):
    settings.OGC_AI_REQUESTS_PER_HOUR = 1
    user, ch = member(), challenge()
    client = _client(user)
    assert (
        client.post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    )
    refused = client.post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")


def test_a_feature_turned_off_is_409(settings):
    settings.OGC_AI_ASSISTANT_SUMMARY_ENABLED = False
    user, prop = member(), proposal()
    response = _client(user).post(
        "/api/v1/ai/estimate/", {"feature": "proposal_summary", "proposal_id": prop.pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "feature_disabled")


def test_list_and_detail_show_only_the_members_own_requests():
    user, other, ch = member(), member(), challenge()
    created = _client(user).post("/api/v1/ai/requests/", _feedback(ch), format="json", HTTP_IDEMPOTENCY_KEY="k")
    request_id = created.json()["id"]
    mine = _client(user).get("/api/v1/ai/requests/")
    assert [row["id"] for row in mine.json()["results"]] == [request_id]
    assert _client(user).get(f"/api/v1/ai/requests/{request_id}/").json()["status"] == "queued"
    assert _client(other).get("/api/v1/ai/requests/").json()["results"] == []
    assert _client(other).get(f"/api/v1/ai/requests/{request_id}/").status_code == 404


def test_anonymous_callers_are_refused():
    client = APIClient()
    assert client.get("/api/v1/ai/requests/").status_code in (401, 403)
    assert client.post("/api/v1/ai/estimate/", {}, format="json").status_code in (401, 403)
