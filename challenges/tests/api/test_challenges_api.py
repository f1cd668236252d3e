"""Challenges API: filters, pagination, refusals as clear 400s, BOLA, constant query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges.models import Reward, Submission
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, moderator, operator
from conftest import make_token_client
from wallets.models import Transaction
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/challenges/"


def past(**kwargs):
    start = timezone.now() - timedelta(days=3)
    return ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1), **kwargs)


def upcoming(**kwargs):
    return ChallengeFactory(starts_at=timezone.now() + timedelta(days=1), **kwargs)


def test_list_filters_by_phase_category_and_open(api_client):
    open_one = ChallengeFactory(category="code")
    soon = upcoming()
    done = past()
    ChallengeFactory(status="draft")
    ChallengeFactory(visibility="unlisted")

    def slugs(query=""):
        response = api_client.get(API + query)
        assert response.status_code == 200, response.json()
        return {c["slug"] for c in response.json()["results"]}

    assert slugs() == {open_one.slug, soon.slug, done.slug}
    assert slugs("?status=open") == slugs("?open=true") == {open_one.slug}
    assert slugs("?open=false") == {soon.slug, done.slug}
    assert slugs("?status=upcoming") == {soon.slug}
    assert slugs("?status=closed") == {done.slug}
    assert slugs("?category=code") == {open_one.slug}
    assert slugs("?tag=art") == {open_one.slug, soon.slug, done.slug}
    response = api_client.get(API + "?status=bogus")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    response = api_client.get(API + "?page_size=2")
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2 and response.json()["next"]


def test_list_shows_phase_and_amounts_as_strings(api_client):
    ChallengeFactory(entry_fee=D("2.5"))
    [item] = api_client.get(API).json()["results"]
    assert item["phase"] == "open" and item["is_open"] is True
    assert item["entry_fee"] == "2.500000000000000000"
    assert item["prize_split"] == ["50", "30", "20"]


def test_drafts_and_unlisted_visibility(api_client):
    draft = ChallengeFactory(status="draft")
    unlisted = ChallengeFactory(visibility="unlisted")
    assert api_client.get(f"{API}{draft.slug}/").status_code == 404
    assert api_client.get(f"{API}{unlisted.slug}/").status_code == 200
    staff = make_token_client(moderator())
    assert staff.get(f"{API}{draft.slug}/").status_code == 200
    assert len(staff.get(API).json()["results"]) == 2


def test_list_query_count_is_constant(api_client, django_assert_num_queries):
    ChallengeFactory()
    with django_assert_num_queries(1):  # the page, its count in the same query (COUNT(*) OVER ())
        api_client.get(API)
    for _ in range(6):
        ChallengeFactory()
    with django_assert_num_queries(1):
        assert len(api_client.get(API).json()["results"]) == 7


def test_create_is_for_operators():
    body = {
        "slug": "new-one",
        "title": "New one",
        "description": "Do it.",
        "starts_at": timezone.now().isoformat(),
        "ends_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "prize_pool": "100",
        "prize_split": ["60", "40"],
        "entry_fee": "1.5",
        "status": "scheduled",
    }
    assert make_token_client(UserFactory()).post(API, body).status_code == 403
    assert make_token_client(moderator()).post(API, body).status_code == 403
    response = make_token_client(operator()).post(API, body)
    assert response.status_code == 201, response.json()
    assert response.json()["phase"] == "open" and response.json()["prize_split"] == ["60", "40"]
    bad = {**body, "slug": "other", "ends_at": body["starts_at"]}
    response = make_token_client(operator()).post(API, bad)
    assert response.status_code == 422 and "ends_at" in response.json()["fields"]
    response = make_token_client(operator()).post(API, {**body, "slug": "x", "is_staff": True})
    assert response.status_code == 400 and "is_staff" in response.json()["fields"]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (upcoming, "challenge_not_started"),
        (past, "challenge_ended"),
        (lambda: ChallengeFactory(status="draft"), "challenge_not_open"),
    ],
    ids=["before-start", "after-end", "draft"],
)
def test_submission_refusals_are_clear_409s(make, code):
    challenge = make()
    client = make_token_client(UserFactory())
    response = client.post(f"{API}{challenge.slug}/submissions/", {"title": "t", "content": "c"})
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Submission.objects.exists()


def test_submission_beyond_the_limit_and_unpaid_fee_are_409s():
    challenge = ChallengeFactory(max_submissions_per_user=1, entry_fee=D("5"))
    rich = make_token_client(funded_user("10"))
    url = f"{API}{challenge.slug}/submissions/"
    response = rich.post(url, {"title": "t", "content": "c"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 201, response.json()
    assert Submission.objects.get().submitter_ip == "198.51.100.7"
    response = rich.post(url, {"title": "t2", "content": "c"})
    assert (response.status_code, response.json()["code"]) == (409, "submission_limit_reached")
    poor = make_token_client(funded_user("4.99"))
    response = poor.post(url, {"title": "t", "link": "https://example.org/x"})
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_funds")
    assert "entry_fee" in response.json()["fields"]
    assert Transaction.objects.filter(kind="payment").count() == 1
    assert_ledger_clean()


def test_submission_needs_content_or_link_and_refuses_unknown_fields():
    challenge = ChallengeFactory()
    client = make_token_client(UserFactory())
    url = f"{API}{challenge.slug}/submissions/"
    response = client.post(url, {"title": "t"})
    assert response.status_code == 422 and "content" in response.json()["fields"]
    response = client.post(url, {"title": "t", "content": "c", "status": "winner"})
    assert response.status_code == 400 and "status" in response.json()["fields"]
    response = client.post(url, {"title": "t", "link": "ftp://example.org"})
    assert response.status_code == 400 and "link" in response.json()["fields"]


def test_anonymous_cannot_submit(api_client):
    challenge = ChallengeFactory()
    response = api_client.post(f"{API}{challenge.slug}/submissions/", {"title": "t", "content": "c"})
    assert response.status_code in (401, 403)


def test_bola_user_b_cannot_see_edit_or_withdraw_a_submission():
    a, b = UserFactory(), UserFactory()
    challenge = ChallengeFactory()
    mine = SubmissionFactory(challenge=challenge, user=a, title="A's")
    client_b = make_token_client(b)
    base = f"{API}{challenge.slug}/submissions/{mine.pk}/"
    assert client_b.get(base).status_code == 404
    assert client_b.patch(base, {"title": "B's now"}).status_code == 404
    assert client_b.post(base + "withdraw/").status_code == 404
    assert client_b.get(f"{API}{challenge.slug}/submissions/").json()["results"] == []
    mine.refresh_from_db()
    assert (mine.title, mine.status) == ("A's", "submitted")
    client_a = make_token_client(a)
    response = client_a.patch(base, {"title": "Better"})
    assert response.status_code == 200 and response.json()["title"] == "Better"
    assert "submitter_ip" not in response.json()
    response = client_a.post(base + "withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_submission_id_must_belong_to_the_challenge_in_the_path():
    user = UserFactory()
    mine = SubmissionFactory(user=user)
    other_challenge = ChallengeFactory()
    client = make_token_client(user)
    assert client.post(f"{API}{other_challenge.slug}/submissions/{mine.pk}/withdraw/").status_code == 404
    review = make_token_client(moderator()).post(
        f"{API}{other_challenge.slug}/submissions/{mine.pk}/review/", {"status": "rejected"}
    )
    assert review.status_code == 404


def test_only_moderators_review():
    submission = SubmissionFactory()
    url = f"{API}{submission.challenge.slug}/submissions/{submission.pk}/review/"
    body = {"status": "accepted", "score": "12.5", "review_note": "Nice"}
    for client in (make_token_client(UserFactory()), make_token_client(submission.user)):
        assert client.post(url, body).status_code == 403
    submission.refresh_from_db()
    assert submission.status == "submitted"
    response = make_token_client(moderator()).post(url, body)
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["score"]) == ("accepted", "12.5000")


def test_review_queue_for_moderators():
    challenge = ChallengeFactory()
    waiting = SubmissionFactory(challenge=challenge)
    SubmissionFactory(challenge=challenge, status="rejected")
    response = make_token_client(moderator()).get(f"{API}{challenge.slug}/submissions/?status=submitted")
    assert [s["id"] for s in response.json()["results"]] == [waiting.pk]
    assert "submitter_ip" in response.json()["results"][0]


def leaderboard_challenge(entries):
    challenge = past()
    for i in range(entries):
        SubmissionFactory(
            challenge=challenge,
            status="accepted",
            score=D(10 + i % 3),
            submitted_at=challenge.starts_at + timedelta(minutes=i),
        )
    return challenge


def test_live_leaderboard_orders_by_score_then_time(api_client):
    challenge = leaderboard_challenge(4)  # scores 10, 11, 12, 10
    SubmissionFactory(challenge=challenge, status="rejected", score=None)
    results = api_client.get(f"{API}{challenge.slug}/leaderboard/").json()["results"]
    assert [(r["rank"], r["score"]) for r in results] == [
        (1, "12.0000"),
        (2, "11.0000"),
        (3, "10.0000"),
        (4, "10.0000"),
    ]
    assert results[2]["submitted_at"] < results[3]["submitted_at"]
    assert "email" not in results[0]["user"]
    second_page = api_client.get(f"{API}{challenge.slug}/leaderboard/?page=2&page_size=3").json()["results"]
    assert [r["rank"] for r in second_page] == [4]


def test_judged_leaderboard_shows_ranks_and_rewards(api_client):
    challenge = leaderboard_challenge(3)
    actor = make_token_client(operator())
    response = actor.post(f"{API}{challenge.slug}/judge/")
    assert response.status_code == 200, response.json()
    response = actor.post(f"{API}{challenge.slug}/rewards/", {}, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert response.status_code == 201, response.json()
    results = api_client.get(f"{API}{challenge.slug}/leaderboard/").json()["results"]
    assert [(r["rank"], r["reward"]) for r in results] == [
        (1, "50.000000000000000000"),
        (2, "30.000000000000000000"),
        (3, "20.000000000000000000"),
    ]


def test_leaderboard_query_count_is_constant(api_client, django_assert_num_queries):
    small = leaderboard_challenge(2)
    big = leaderboard_challenge(12)
    with django_assert_num_queries(3):  # challenge + count + page (users and rewards joined)
        api_client.get(f"{API}{small.slug}/leaderboard/")
    with django_assert_num_queries(3):
        assert len(api_client.get(f"{API}{big.slug}/leaderboard/").json()["results"]) == 12


def test_rewards_endpoint_is_for_operators_and_idempotent():
    challenge = leaderboard_challenge(2)
    op = operator()
    client = make_token_client(op)
    client.post(f"{API}{challenge.slug}/judge/")
    url = f"{API}{challenge.slug}/rewards/"
    assert make_token_client(moderator()).post(url, {}).status_code == 403
    first = client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and len(first.json()) == 2
    replay = client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    again = client.post(url, {}, HTTP_IDEMPOTENCY_KEY="k2")
    assert again.status_code == 200 and again.json() == []
    assert Reward.objects.count() == 2 and Transaction.objects.filter(kind="reward").count() == 2
    reused = client.post(url, {"submission_ids": [1]}, HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 422
    assert_ledger_clean()
