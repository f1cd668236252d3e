"""The challenge list builds its items from ``.values()`` (``challenge_items``), not
with ``ChallengeOutputSerializer``, and pages with ``WindowCountPagination`` (the count
in the page's query): same items, same count/next/previous, one query."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from challenges.api.serializers import CHALLENGE_COLUMNS, ChallengeOutputSerializer, challenge_items
from challenges.models import Challenge
from challenges.tests.factories import ChallengeFactory, moderator
from conftest import make_token_client

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/challenges/"


@pytest.fixture
def every_phase():
    """One challenge per status and, for scheduled ones, per phase; odd amounts,
    tags, a numeric prize part, an unlisted one."""
    now = timezone.now()
    day = timedelta(days=1)
    ChallengeFactory(status="draft", starts_at=now - day)
    ChallengeFactory(starts_at=now + 2 * day, tags=[], prize_split=[], category="")  # upcoming
    ChallengeFactory(entry_fee=D("2.5"), prize_pool=D("123456789.000000000000000001"), tags=["art", "logo"])  # open
    ChallengeFactory(starts_at=now - 3 * day, ends_at=now - day, prize_split=["10", 5])  # scheduled, ended
    ChallengeFactory(status="closed", starts_at=now - 5 * day, rules="Be kind.")
    ChallengeFactory(status="judged", starts_at=now - 9 * day, prize_pool=D("100"), prize_paid=D("80"))
    ChallengeFactory(status="archived", starts_at=now - 20 * day)
    ChallengeFactory(visibility="unlisted", starts_at=now - 2 * day)
    return now


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns"])
def test_items_equal_the_serializer_in_every_phase(every_phase, zone):
    challenges = Challenge.objects.order_by("-starts_at", "-id")
    assert {c.phase for c in challenges} >= {"draft", "upcoming", "open", "closed", "judged", "archived"}
    with timezone.override(zone):
        expected = [dict(item) for item in ChallengeOutputSerializer(challenges, many=True).data]
        items = challenge_items(challenges.values(*CHALLENGE_COLUMNS), now=timezone.now())
    assert [list(item) for item in items] == [list(item) for item in expected]  # same keys, same order
    assert items == expected


def test_item_fields_are_the_serializer_fields():
    fields = tuple(ChallengeOutputSerializer().fields)
    assert set(fields) - set(CHALLENGE_COLUMNS) == {"phase", "is_open"}
    assert list(challenge_items([], now=timezone.now())) == []


def test_phase_is_taken_at_the_instant_the_list_was_filtered_at():
    starts = timezone.now() + timedelta(hours=1)
    ChallengeFactory(starts_at=starts)
    row = Challenge.objects.values(*CHALLENGE_COLUMNS).get()
    assert challenge_items([row], now=starts - timedelta(seconds=1))[0]["phase"] == "upcoming"
    [item] = challenge_items([row], now=starts)
    assert (item["phase"], item["is_open"]) == ("open", True)
    assert challenge_items([row], now=row["ends_at"])[0]["phase"] == "closed"


def test_endpoint_answers_the_serializer_output(api_client, every_phase):
    visible = Challenge.objects.filter(visibility="public").exclude(status="draft").order_by("-starts_at", "-id")
    body = api_client.get(API).json()
    assert body == {
        "count": 6,
        "next": None,
        "previous": None,
        "results": list(ChallengeOutputSerializer(visible, many=True).data),
    }
    staff = make_token_client(moderator())
    assert staff.get(API).json()["count"] == 8  # staff see drafts and unlisted ones


def test_page_numbers_count_and_links(api_client, every_phase, django_assert_num_queries):
    slugs = list(
        Challenge.objects.filter(visibility="public")
        .exclude(status="draft")
        .order_by("-starts_at", "-id")
        .values_list("slug", flat=True)
    )
    with django_assert_num_queries(1):  # rows and count in one statement
        first = api_client.get(API, {"page_size": 4}).json()
    assert first["count"] == 6 and first["previous"] is None
    assert first["next"].endswith("?page=2&page_size=4")
    second = api_client.get(first["next"]).json()
    assert second["count"] == 6 and second["next"] is None
    assert second["previous"].endswith("?page_size=4")
    assert [c["slug"] for c in first["results"] + second["results"]] == slugs
    last = api_client.get(API, {"page_size": 4, "page": 2}).json()
    assert last == second
    response = api_client.get(API, {"page_size": 4, "page": 3})
    assert response.status_code == 404
    filtered = api_client.get(API, {"status": "closed", "page_size": 1}).json()
    assert filtered["count"] == 2 and len(filtered["results"]) == 1 and filtered["next"]
    nothing = api_client.get(API, {"category": "none-such"}).json()
    assert nothing == {"count": 0, "next": None, "previous": None, "results": []}
    assert api_client.get(API, {"category": "none-such", "page": 2}).status_code == 404
