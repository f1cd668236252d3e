"""The paid assistant's pages: the panels on a proposal and on the submission form,
the cost shown before anything is held, the answer and the member's history."""

from decimal import Decimal

import pytest

from ai.models import AIRequest
from ai.services import request_run
from ai.tests.assistant_helpers import DRAFT, balances, challenge, member, proposal

pytestmark = pytest.mark.django_db


def test_the_proposal_page_offers_a_summary_and_its_cost_comes_first(client):
    user, prop = member(), proposal()
    client.force_login(user)
    page = client.get(f"/governance/{prop.pk}/")
    assert b'data-testid="assistant-panel"' in page.content
    assert f"/assistant/proposals/{prop.pk}/summary/".encode() in page.content

    estimate = client.get(f"/assistant/proposals/{prop.pk}/summary/")
    assert estimate.status_code == 200
    assert b'data-testid="ai-estimate-cost"' in estimate.content
    assert not AIRequest.objects.exists() and balances(user) == (Decimal("10"), Decimal("0"))

    token = estimate.context["form"].initial["token"]
    asked = client.post(f"/assistant/proposals/{prop.pk}/summary/", {"token": token})
    request = AIRequest.objects.get(user=user)
    assert asked.status_code == 302 and asked["Location"] == f"/assistant/requests/{request.pk}/"
    assert (
        client.post(f"/assistant/proposals/{prop.pk}/summary/", {"token": token}).status_code == 302
    )  # a double click
    assert AIRequest.objects.filter(user=user).count() == 1
    waiting = client.get(f"/assistant/requests/{request.pk}/")
    assert b'data-testid="ai-waiting"' in waiting.content and b'http-equiv="refresh"' in waiting.content

    request_run(request_id=request.pk)
    done = client.get(f"/assistant/requests/{request.pk}/")
    assert b'data-testid="ai-answer"' in done.content and b"refresh" not in done.content


def test_the_submission_form_sends_the_draft_for_an_estimate_then_confirms(client):
    user, ch = member(), challenge()
    client.force_login(user)
    page = client.get(f"/challenges/{ch.slug}/")
    assert b'data-testid="assistant-feedback-button"' in page.content

    # The button posts the submission form's own fields to the assistant (formaction).
    estimate = client.post(
        f"/assistant/challenges/{ch.slug}/feedback/", {"title": "Mine", "content": DRAFT, "link": ""}
    )
    assert estimate.status_code == 200 and estimate.context["confirming"]
    assert not AIRequest.objects.exists()
    form = estimate.context["draft_form"]
    confirmed = client.post(
        f"/assistant/challenges/{ch.slug}/feedback/",
        {"draft": form.initial["draft"], "token": form.initial["token"], "confirm": "1"},
    )
    request = AIRequest.objects.get(user=user)
    assert confirmed["Location"] == f"/assistant/requests/{request.pk}/"
    assert balances(user) == (Decimal("10") - request.estimated_cost, request.estimated_cost)


def test_an_empty_draft_is_refused_on_the_page(client):
    user, ch = member(), challenge()
    client.force_login(user)
    response = client.post(f"/assistant/challenges/{ch.slug}/feedback/", {"content": "   "})
    assert response.status_code == 400
    assert not AIRequest.objects.exists()


def test_without_funds_the_page_says_so_and_holds_nothing(client):
    user, ch = member(available="0.01"), challenge()
    client.force_login(user)
    response = client.post(
        f"/assistant/challenges/{ch.slug}/feedback/", {"draft": DRAFT, "token": "t1", "confirm": "1"}
    )
    assert response.status_code == 409
    assert b'data-testid="ai-error"' in response.content
    assert not AIRequest.objects.exists() and balances(user) == (Decimal("0.01"), Decimal("0"))


def test_the_history_lists_costs_and_another_members_request_is_not_found(client):
    user, other, ch = member(), member(), challenge()
    client.force_login(user)
    client.post(f"/assistant/challenges/{ch.slug}/feedback/", {"draft": DRAFT, "token": "t1", "confirm": "1"})
    request = request_run(request_id=AIRequest.objects.get(user=user).pk)
    history = client.get("/assistant/")
    assert b'data-testid="ai-history"' in history.content
    assert "Feedback on a draft against a challenge" in history.content.decode()
    paid = history.content.decode().split('data-testid="ai-paid">')[1].split("</td>")[0]
    assert f"{request.final_cost.normalize():f}" in paid
    client.force_login(other)
    assert client.get(f"/assistant/requests/{request.pk}/").status_code == 404
    assert b'data-testid="ai-history-empty"' in client.get("/assistant/").content


def test_panels_are_hidden_when_their_feature_is_off(client, settings):
    settings.OGC_AI_ASSISTANT_SUMMARY_ENABLED = False
    settings.OGC_AI_ASSISTANT_FEEDBACK_ENABLED = False
    user, prop, ch = member(), proposal(), challenge()
    client.force_login(user)
    assert b"assistant-panel" not in client.get(f"/governance/{prop.pk}/").content
    assert b"assistant-feedback-button" not in client.get(f"/challenges/{ch.slug}/").content
    assert client.get(f"/assistant/proposals/{prop.pk}/summary/").status_code == 409
