"""``WindowCountPaginator``: the pages and counts of Django's ``Paginator`` in one query
per page; ``WindowCountPagination``: the same DRF responses as ``DefaultPagination``."""

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.tests.factories import UserFactory
from core.pagination import DefaultPagination, WindowCountPagination, WindowCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    UserFactory.create_batch(7)
    return get_user_model().objects.order_by("id")


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 10])
def test_pages_and_counts_equal_djangos_paginator(users, per_page, django_assert_num_queries):
    reference = Paginator(users, per_page)
    for number in reference.page_range:
        ours = WindowCountPaginator(users, per_page)
        with django_assert_num_queries(1):
            page = ours.page(number)
            assert (ours.count, ours.num_pages) == (reference.count, reference.num_pages)
            assert (page.has_next(), page.has_previous(), page.start_index(), page.end_index()) == (
                reference.page(number).has_next(),
                reference.page(number).has_previous(),
                reference.page(number).start_index(),
                reference.page(number).end_index(),
            )
        assert list(page) == list(reference.page(number))
        assert not any(hasattr(user, WindowCountPaginator.total_alias) for user in page)


def test_value_rows_come_back_without_the_total(users):
    page = WindowCountPaginator(users.values("id", "email"), 5).page(2)
    assert list(page) == list(users.values("id", "email")[5:])
    assert all(set(row) == {"id", "email"} for row in page)


def test_invalid_and_out_of_range_pages(users, django_assert_num_queries):
    for bad, error in (("x", PageNotAnInteger), (1.5, PageNotAnInteger), (0, EmptyPage), ("-1", EmptyPage)):
        with django_assert_num_queries(0), pytest.raises(error):
            WindowCountPaginator(users, 3).page(bad)
    with django_assert_num_queries(1), pytest.raises(EmptyPage):
        WindowCountPaginator(users, 3).page(4)
    assert WindowCountPaginator(users, 3).page("3").object_list == [users.last()]
    empty = users.filter(pk__lt=0)
    page = WindowCountPaginator(empty, 3).page(1)
    assert (page.paginator.count, page.paginator.num_pages, list(page)) == (0, 1, [])
    with pytest.raises(EmptyPage):
        WindowCountPaginator(empty, 3, allow_empty_first_page=False).page(1)
    with pytest.raises(ValueError):
        WindowCountPaginator(users, 3, orphans=1)


@pytest.mark.parametrize(
    "query", ["", "?page=2", "?page=3&page_size=2", "?page=last&page_size=3", "?page_size=500", "?page=9"]
)
def test_drf_responses_equal_default_pagination(users, query):
    def respond(pagination_class):
        request = Request(APIRequestFactory().get("/items/" + query))
        paginator = pagination_class()
        try:
            page = paginator.paginate_queryset(users.values("id"), request)
        except NotFound as exc:
            return "404", str(exc.detail)
        return paginator.get_paginated_response(page).data

    assert respond(WindowCountPagination) == respond(DefaultPagination)
