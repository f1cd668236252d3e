"""The challenge page: the standings as its heart, the prize split as bars, and the entry
form only when ``submission_create`` would accept it; otherwise what stands in the way."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from challenges.models import Reward
from challenges.selectors import submission_outlook
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

FORM = 'data-testid="submission-form"'


def _page(challenge, user=None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(f"/challenges/{challenge.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _blocker(html: str) -> str | None:
    match = re.search(r'data-testid="cannot-submit" data-blocker="(\w+)"', html)
    return match.group(1) if match else None


def _pro_plan_for(user) -> None:
    from subscriptions.services import seed_plans, subscription_subscribe

    seed_plans()
    subscription_subscribe(user=user, plan_code="pro")  # the trial grants the plan's features


def test_an_open_challenge_offers_the_form_with_what_is_left():
    user = funded_user("10")
    html = _page(ChallengeFactory(max_submissions_per_user=3, entry_fee=Decimal("2")), user)
    assert FORM in html and _blocker(html) is None
    assert "You can send 3 more entries." in html
    assert "This first entry pays the 2 OGC entry fee from your wallet." in html
    assert 'href="#submit-title"' in html  # the header's shortcut to the form


def test_an_upcoming_challenge_says_when_it_opens_instead_of_the_form():
    starts = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    challenge = ChallengeFactory(starts_at=starts)
    html = _page(challenge, funded_user("10"))
    assert FORM not in html and _blocker(html) == "upcoming"
    assert f"This challenge opens on {starts:%Y-%m-%d %H:%M} UTC, in 2\xa0days, 23\xa0hours." in html
    assert f"Entries open on {starts:%Y-%m-%d %H:%M} UTC." in html  # the empty standings say it too
    # Visitors are told the same (no point logging in yet).
    assert _blocker(_page(challenge)) == "upcoming"


@pytest.mark.parametrize(
    ("fields", "blocker", "text"),
    [
        ({"status": "closed"}, "closed", "Submissions closed on"),
        ({"status": "judged"}, "over", "This challenge is over."),
        ({"status": "archived"}, "over", "This challenge is over."),
    ],
)
def test_a_finished_challenge_says_so_instead_of_the_form(fields, blocker, text):
    html = _page(ChallengeFactory(**fields), funded_user("10"))
    assert FORM not in html and _blocker(html) == blocker and text in html
    assert 'href="/challenges/">Find an open challenge' in html


def test_a_challenge_past_its_deadline_is_closed_for_entries():
    start = timezone.now() - timedelta(days=3)
    html = _page(ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1)), funded_user("10"))
    assert FORM not in html and _blocker(html) == "closed"


def test_a_visitor_is_asked_to_log_in():
    html = _page(ChallengeFactory())
    assert FORM not in html and _blocker(html) == "login"
    assert 'href="/accounts/login/?next=/challenges/' in html


def test_a_member_at_their_limit_is_told_and_shown_the_plans():
    user = funded_user("10")
    challenge = ChallengeFactory(max_submissions_per_user=2)
    SubmissionFactory(challenge=challenge, user=user, sequence=1, status="rejected")
    SubmissionFactory(challenge=challenge, user=user, sequence=2)
    html = _page(challenge, user)
    assert FORM not in html and _blocker(html) == "limit"
    assert "You have sent all 2 of your entries for this challenge." in html
    assert 'href="/subscription/">See the plans' in html


def test_a_withdrawn_entry_frees_its_place():
    user = funded_user("10")
    challenge = ChallengeFactory(max_submissions_per_user=1)
    SubmissionFactory(challenge=challenge, user=user, sequence=1, status="withdrawn")
    html = _page(challenge, user)
    assert FORM in html and "You can send 1 more entry." in html


def test_a_plan_with_extra_submissions_doubles_the_limit_the_page_shows():
    user = funded_user("100")
    _pro_plan_for(user)
    challenge = ChallengeFactory(max_submissions_per_user=1)
    SubmissionFactory(challenge=challenge, user=user, sequence=1)
    html = _page(challenge, user)
    assert FORM in html and "You can send 1 more entry." in html
    SubmissionFactory(challenge=challenge, user=user, sequence=2)
    html = _page(challenge, user)
    assert _blocker(html) == "limit" and "See the plans" not in html


def test_an_entry_fee_above_the_balance_is_said_before_trying():
    user = funded_user("1.5")
    challenge = ChallengeFactory(entry_fee=Decimal("3"))
    html = _page(challenge, user)
    assert FORM not in html and _blocker(html) == "funds"
    assert "The entry fee is 3 OGC and your available balance is 1.5 OGC." in html
    assert 'href="/wallet/"' in html
    # Once entered (the fee is paid with the first entry), no fee is due any more.
    SubmissionFactory(challenge=challenge, user=user, sequence=1)
    html = _page(challenge, user)
    assert FORM in html and "entry fee from your wallet" not in html


def test_the_outlook_agrees_with_the_service():
    """What the page offers, the service accepts; what it withholds, the service refuses."""
    from challenges.services import submission_create
    from core.exceptions import ApplicationError

    for balance, fee in (("5", "3"), ("1", "3")):
        user = funded_user(balance)
        challenge = ChallengeFactory(entry_fee=Decimal(fee), max_submissions_per_user=1)
        outlook = submission_outlook(challenge=challenge, user=user, mine=[])
        try:
            submission_create(user=user, challenge_id=challenge.pk, title="T", content="C")
            accepted = True
        except ApplicationError:
            accepted = False
        assert outlook.can_submit is accepted
        if accepted:
            outlook = submission_outlook(challenge=challenge, user=user, mine=list(user.submissions.all()))
            assert outlook.blocker == "limit"


def test_the_standings_lead_the_page_with_score_bars_and_prizes():
    challenge = ChallengeFactory(prize_split=["50", "30", "20"])
    me = funded_user("1")
    for i, score in enumerate(["40", "80", "60", "20"]):
        SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(score), title=f"E{i}")
    SubmissionFactory(challenge=challenge, user=me, status="accepted", score=Decimal("10"), title="Mine")
    SubmissionFactory(challenge=challenge, status="submitted", title="Unreviewed")
    html = _page(challenge, me)
    standings = html.split('data-testid="standings"')[1].split("</section>")[0]
    assert [re.sub(r"\D", "", m) for m in re.findall(r'<td data-label="Entry">E\d', standings)] == ["1", "2", "0", "3"]
    assert "Unreviewed" not in standings
    # Bars against the top score (80), prizes by place, my row marked.
    assert re.findall(r'class="bar-fill" y="0" width="([\d.]+)%"', standings) == [
        "100.0",
        "75.0",
        "50.0",
        "25.0",
        "12.5",
    ]
    assert re.findall(r'<span class="muted">(\d+) OGC</span>', standings) == ["50", "30", "20"]
    assert '<tr class="is-mine">' in standings and "(you)" in standings
    # The prize split as bars, largest first, with the amounts as text.
    split = html.split('data-testid="prize-split"')[1].split("</ol>")[0]
    assert re.findall(r'class="bar-fill" y="0" width="([\d.]+)%"', split) == ["100.0", "60.0", "40.0"]
    assert re.findall(r'class="prize-amount">(\d+) OGC<', split) == ["50", "30", "20"]
    assert "Rank 1:" in split  # the text alternative of each bar


def test_paid_prizes_and_stored_ranks_once_judged():
    from challenges.services import challenge_judge, rewards_award
    from challenges.tests.factories import operator

    challenge = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["60", "40"])
    subs = [SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(s)) for s in ("5", "9")]
    staff = operator()
    challenge_judge(challenge_id=challenge.pk, actor=staff, now=challenge.ends_at)
    rewards_award(challenge_id=challenge.pk, actor=staff)
    assert Reward.objects.count() == 2
    html = _page(challenge)
    assert "Final: judged and ranked." in html
    assert html.count('<span class="pill pill-success">Paid</span>') == 2
    standings = html.split('data-testid="standings"')[1]
    assert standings.index(subs[1].title) < standings.index(subs[0].title)


def test_empty_standings_say_what_will_appear_and_offer_the_first_step():
    challenge = ChallengeFactory()
    html = _page(challenge, funded_user("5"))
    assert 'data-testid="standings-empty"' in html and "Submit the first entry" in html
    assert "Log in to take part" in _page(challenge)


def test_challenge_page_query_count(django_assert_num_queries):
    user = funded_user("20")
    challenge = ChallengeFactory(entry_fee=Decimal("3"))
    for i in range(12):
        SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(i))
    client = Client()
    client.force_login(user)
    client.get(f"/challenges/{challenge.slug}/")
    # Session, user, challenge, the staff check and my submissions, ten standings (users
    # and rewards joined), the plan's feature, the wallet (a fee is due), the unread count.
    with django_assert_num_queries(9):
        html = client.get(f"/challenges/{challenge.slug}/").content.decode()
    assert html.count('class="rank rank-inline') == 10


def test_leaderboard_pages_bar_against_the_top_score(django_assert_num_queries):
    from challenges import views

    challenge = ChallengeFactory()
    for i in range(views.LEADERBOARD_PAGE_SIZE + 2):
        SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(i + 1))
    client = Client()
    # Page 2: count, rows, and the top score for the bars.
    with django_assert_num_queries(4):
        html = client.get(f"/challenges/{challenge.slug}/leaderboard/?page=2").content.decode()
    bars = re.findall(r'class="bar-fill" y="0" width="([\d.]+)%"', html)
    assert bars == ["3.8", "1.9"]  # scores 2 and 1 of a top score of 52
    assert '<span class="rank rank-51">51</span>' in html


def test_empty_challenge_lists_offer_the_next_step(client):
    ChallengeFactory(title="Soon", starts_at=timezone.now() + timedelta(days=2))
    html = client.get("/challenges/").content.decode()
    open_part = html.split('data-testid="open-challenges"')[1].split("</section>")[0]
    assert "No challenge is open right now" in open_part and 'href="#upcoming-title"' in open_part
    past_part = html.split('data-testid="past-challenges"')[1].split("</section>")[0]
    assert "No past challenges" in past_part
