"""Page numbers (issue 13, part 1): an empty, non-integer or absurd ``?page=`` is a 404
"Invalid page." with the API error body on every paginated API list, never a 500
(MariaDB refuses an OFFSET past BIGINT with a syntax error, 1064); the server-rendered
pages show their last (or first) page instead; the schema says ``minimum: 1``."""

import pytest
from django.core.paginator import EmptyPage
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import UserFactory
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from conftest import make_token_client
from core.pagination import WindowCountPaginator
from governance.tests.factories import open_proposal
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

HUGE = ["9223372036854775807", "10000000000000000000", "18446744073709551616", "1" + "0" * 40, "9" * 5000]
NOT_A_NUMBER = ["", "abc", "1.0", " 1", "+1", "1_0", "-1", "0", "\u0661", "\u00b2", "0x10"]
INVALID_PAGE = {"code": "not_found", "detail": "Invalid page.", "fields": {}}


@pytest.fixture
def lists(user):
    challenge = ChallengeFactory(slug="bounded")
    SubmissionFactory(challenge=challenge, user=user)
    NotificationFactory(recipient=user)
    open_proposal()
    return [
        "/api/v1/challenges/",
        "/api/v1/challenges/?open=false",
        "/api/v1/challenges/bounded/leaderboard/",
        "/api/v1/challenges/bounded/submissions/",
        "/api/v1/proposals/",
        "/api/v1/notifications/",
    ]


@pytest.mark.parametrize("page", [*HUGE, *NOT_A_NUMBER])
def test_every_api_list_refuses_a_bad_page_with_a_404(lists, user, page):
    client = make_token_client(user)
    for url in lists:
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page={page}")
        assert (response.status_code, response.json()) == (404, INVALID_PAGE), (url, page)


def test_a_repeated_page_is_refused_and_a_good_one_still_answers(lists, user):
    client = make_token_client(user)
    for url in lists:
        joiner = "&" if "?" in url else "?"
        assert client.get(f"{url}{joiner}page=1&page=2").status_code == 404, url
        assert client.get(f"{url}{joiner}page=1").status_code == 200, url
        assert client.get(f"{url}{joiner}page=001").status_code == 200, url
        assert client.get(url).status_code == 200, url


def test_the_window_count_paginator_refuses_an_offset_past_bigint_without_a_query(django_assert_num_queries):
    users = UserFactory._meta.model.objects.order_by("id")
    for number in (2**63, 2**64, 9223372036854775807, 10**40):
        with django_assert_num_queries(0), pytest.raises(EmptyPage):
            WindowCountPaginator(users, 25).page(number)


@pytest.mark.parametrize("page", [*HUGE, "", "abc", "0", "-1"])
def test_pages_show_a_page_for_any_page_number(user, page):
    challenge = ChallengeFactory(slug="bounded")
    SubmissionFactory(challenge=challenge, user=user)
    NotificationFactory(recipient=user)
    client = Client()
    client.force_login(user)
    for url in ("/wallet/", "/governance/", "/challenges/bounded/leaderboard/", "/notifications/"):
        assert client.get(url, {"page": page}).status_code == 200, (url, page)


def test_the_console_answers_an_absurd_page_without_an_error(user):
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    for page in [*HUGE, "\u00b2"]:
        for query in ({"p": page}, {"p": page, "o": "1"}):
            response = client.get("/admin/wallets/transaction/", query)
            assert response.status_code in (200, 302), query


def test_the_schema_says_page_and_page_size_are_at_least_one():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    seen = 0
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in ("page", "page_size"):
                    assert parameter["schema"] == {"type": "integer", "minimum": 1}, parameter
                    seen += 1
    assert seen > 10
