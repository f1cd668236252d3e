"""The submission review queue of the console: moderators score, accept or reject in
one click; bulk actions report per row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from challenges.models import Submission, SubmissionStatus
from challenges.tests.factories import SubmissionFactory
from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import client_for, seed_roles, staff

pytestmark = pytest.mark.django_db

QUEUE = "/admin/challenges/submission/queue/"


@pytest.fixture
def moderator_client():
    seed_roles()
    return client_for(staff(ROLE_MODERATOR))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_moderators_and_operators_review_auditors_do_not():
    seed_roles()
    assert client_for(staff(ROLE_MODERATOR)).get(QUEUE).status_code == 200
    assert client_for(staff(ROLE_OPERATOR)).get(QUEUE).status_code == 200
    assert client_for(staff(ROLE_AUDITOR)).get(QUEUE).status_code == 403


def test_the_queue_lists_waiting_submissions_oldest_first(moderator_client):
    older = SubmissionFactory(title="Older entry", content="x" * 400)
    newer = SubmissionFactory(title="Newer entry")
    SubmissionFactory(title="Accepted entry", status=SubmissionStatus.ACCEPTED, score=Decimal(3))
    html = moderator_client.get(QUEUE).content.decode()
    assert html.index("Older entry") < html.index("Newer entry")
    assert "Accepted entry" not in html
    assert "x" * 159 + "…" in html  # an excerpt, not the whole content
    assert f'id="score-{older.pk}"' in html and f'for="score-{newer.pk}"' in html
    assert "2 submissions waiting" in html


def test_accept_with_the_rows_score_and_reject_in_one_post(moderator_client):
    a, b = SubmissionFactory(), SubmissionFactory()
    url = reverse("admin:challenges_submission_quick_review", args=[a.pk])
    response = moderator_client.post(f"{url}?decision=accepted&next={QUEUE}", {f"score-{a.pk}": "8.5"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    a.refresh_from_db()
    assert (a.status, a.score, a.reviewer) == (SubmissionStatus.ACCEPTED, Decimal("8.5"), moderator_client.user)
    assert LogEntry.objects.filter(additional_data__action="submission_review", object_pk=str(a.pk)).exists()
    url = reverse("admin:challenges_submission_quick_review", args=[b.pk])
    moderator_client.post(f"{url}?decision=rejected")
    assert Submission.objects.get(pk=b.pk).status == SubmissionStatus.REJECTED


def test_accept_without_a_score_is_refused_and_said(moderator_client):
    row = SubmissionFactory(title="No score")
    url = reverse("admin:challenges_submission_quick_review", args=[row.pk])
    response = moderator_client.post(f"{url}?decision=accepted", {f"score-{row.pk}": ""})
    assert any("“No score”" in m and "needs a score" in m for m in _messages(response))
    assert Submission.objects.get(pk=row.pk).status == SubmissionStatus.SUBMITTED
    assert moderator_client.get(url).status_code == 405


def test_bulk_accept_asks_for_one_score_and_reports_each_row(moderator_client):
    rows = [SubmissionFactory(), SubmissionFactory()]
    ids = [r.pk for r in rows]
    page = moderator_client.post(QUEUE, {"action": "accept_selected", "_selected_action": ids})
    assert page.status_code == 200 and "Accept 2 submissions" in page.content.decode()
    response = moderator_client.post(
        QUEUE, {"action": "accept_selected", "_selected_action": ids, "score": "7"}, follow=True
    )
    assert "2 submission(s) accepted." in _messages(response)
    assert set(Submission.objects.filter(pk__in=ids).values_list("score", flat=True)) == {Decimal(7)}


def test_bulk_reject(moderator_client):
    rows = [SubmissionFactory(), SubmissionFactory()]
    response = moderator_client.post(
        QUEUE, {"action": "reject_selected", "_selected_action": [r.pk for r in rows]}, follow=True
    )
    assert "2 submission(s) rejected." in _messages(response)
