"""Inbox, preferences page and the navigation bar's unread count."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(user):
    client = Client()
    client.force_login(user)
    return client


def test_nav_shows_the_unread_count_on_every_page(client_a, user, django_assert_num_queries):
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at=timezone.now())
    for url in ("/dashboard/", "/notifications/", "/profile/"):
        html = client_a.get(url).content.decode()
        assert '<span class="badge-count" data-testid="unread-count">3</span>' in html, url


def test_nav_count_is_one_query_and_absent_for_anonymous(client_a, user, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.context_processors import unread_count

    request = rf.get("/")
    request.user = AnonymousUser()
    assert unread_count(request) == {}
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        value = unread_count(request)["nav_unread_count"]
        assert (value(), value()) == (0, 0)
    assert len(queries) == 1 and "COUNT(" in queries[0]["sql"].upper()


def test_inbox_lists_read_and_unread_and_marks_read(client_a, user, other_user):
    unread = NotificationFactory(recipient=user, title="Fresh news")
    NotificationFactory(recipient=user, title="Old news", read_at=timezone.now())
    NotificationFactory(recipient=other_user, title="Not yours")
    html = client_a.get("/notifications/").content.decode()
    assert "Fresh news" in html and "Old news" in html and "Not yours" not in html
    html = client_a.get("/notifications/?unread=1").content.decode()
    assert "Fresh news" in html and "Old news" not in html

    response = client_a.post(f"/notifications/{unread.pk}/read/")
    assert response.status_code == 302
    unread.refresh_from_db()
    assert unread.read_at is not None


def test_inbox_cannot_mark_another_users_notification(client_a, other_user):
    theirs = NotificationFactory(recipient=other_user)
    assert client_a.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_page(client_a, user):
    NotificationFactory.create_batch(2, recipient=user)
    assert client_a.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_pages_need_login():
    client = Client()
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/preferences/").status_code == 302


def test_preferences_page_saves_and_keeps_locked_channels(client_a, user):
    html = client_a.get("/notifications/preferences/").content.decode()
    assert 'name="deposit_credited__in_app"' in html and "disabled" in html
    # Post everything unchecked: only the unlocked channels turn off.
    response = client_a.post("/notifications/preferences/", {})
    assert response.status_code == 302
    off = set(NotificationPreference.objects.filter(user=user, enabled=False).values_list("kind", "channel"))
    assert ("announcement", "email") in off and ("announcement", "in_app") in off
    assert ("deposit_credited", "in_app") not in off and ("security", "in_app") not in off
    assert ("deposit_credited", "email") in off
    # Check one box again.
    client_a.post("/notifications/preferences/", {"announcement__in_app": "on"})
    assert NotificationPreference.objects.get(user=user, kind="announcement", channel="in_app").enabled is True


# --- the menu's unread count, polled by htmx -------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_unread_badge_is_a_fragment_with_one_query(client_a, user, django_assert_num_queries):
    NotificationFactory.create_batch(2, recipient=user)
    client_a.get("/notifications/")  # warm the session
    # The session and the user (every request), then the one COUNT.
    with django_assert_num_queries(3) as captured:
        response = client_a.get("/notifications/unread-badge/", **HTMX)
    assert [q["sql"] for q in captured.captured_queries if "notifications" in q["sql"]] == [
        captured.captured_queries[-1]["sql"]
    ]
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert html.startswith('<span id="nav-unread"') and "<html" not in html
    assert '<span class="badge-count" data-testid="unread-count">2</span>' in html
    assert 'hx-trigger="every 30s"' in html


def test_unread_badge_is_empty_at_zero_and_every_page_polls_it(client_a, user):
    html = client_a.get("/notifications/unread-badge/", **HTMX).content.decode()
    assert "badge-count" not in html and 'hx-get="/notifications/unread-badge/"' in html
    page = client_a.get("/dashboard/").content.decode()
    assert '<span id="nav-unread" class="nav-unread" hx-get="/notifications/unread-badge/"' in page
    assert "js/htmx.min.js" in page


def test_unread_badge_without_htmx_or_session():
    from accounts.tests.factories import UserFactory

    anonymous = Client()
    assert anonymous.get("/notifications/unread-badge/")["Location"].startswith("/accounts/login/")
    # The session ended under a polling page: an empty badge that polls no more.
    html = anonymous.get("/notifications/unread-badge/", **HTMX).content.decode()
    assert html.strip() == '<span id="nav-unread" class="nav-unread"></span>'
    member = Client()
    member.force_login(UserFactory())
    assert member.get("/notifications/unread-badge/")["Location"] == "/notifications/"


# --- mark read in place (htmx) or by a plain POST ----------------------------------------


def test_mark_read_with_htmx_answers_the_row_and_the_count(client_a, user):
    first, second = NotificationFactory.create_batch(2, recipient=user)
    response = client_a.post(f"/notifications/{first.pk}/read/", {"unread": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith(f'<tr id="notification-{first.pk}" class="read">')
    assert f'<span class="muted small" id="notification-{first.pk}-action" tabindex="-1">Read</span>' in html
    assert '<hx-partial hx-target="#nav-unread" hx-swap="outerHTML">' in html
    assert '<span class="badge-count" data-testid="unread-count">1</span>' in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_mark_read_without_javascript_redirects_to_the_same_filter_and_page(client_a, user):
    notification = NotificationFactory(recipient=user)
    response = client_a.post(f"/notifications/{notification.pk}/read/", {"unread": "1", "page": "2"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?unread=1&page=2"
    response = client_a.post(f"/notifications/{notification.pk}/read/", {"page": "x"})
    assert response["Location"] == "/notifications/"


def test_the_inbox_forms_work_both_ways(client_a, user):
    notification = NotificationFactory(recipient=user)
    html = client_a.get("/notifications/?unread=1&page=1").content.decode()
    form = f'<form method="post" action="/notifications/{notification.pk}/read/" class="inline-form"'
    assert (
        f'{form} hx-post="/notifications/{notification.pk}/read/" hx-target="#notification-{notification.pk}"' in html
    )
    assert 'action="/notifications/read-all/"' in html and 'hx-post="/notifications/read-all/"' in html
    assert '<input type="hidden" name="unread" value="1">' in html


def test_mark_all_read_with_htmx_answers_the_list_and_the_count(client_a, user):
    NotificationFactory.create_batch(3, recipient=user)
    response = client_a.post("/notifications/read-all/", {"unread": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="inbox-list"')
    assert "3 notifications marked read." in html and "No unread notifications" in html
    assert '<span id="nav-unread"' in html and "badge-count" not in html
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    # Nothing is left in the session for the next page.
    assert "marked read" not in client_a.get("/notifications/").content.decode()


def test_mark_all_read_without_javascript_redirects_with_a_message(client_a, user):
    NotificationFactory(recipient=user)
    response = client_a.post("/notifications/read-all/", {"unread": "1"}, follow=True)
    assert response.redirect_chain == [("/notifications/?unread=1", 302)]
    assert "1 notification marked read." in response.content.decode()


def test_htmx_from_an_ended_session_is_sent_to_the_login_page(user):
    notification = NotificationFactory(recipient=user)
    response = Client().post(f"/notifications/{notification.pk}/read/", **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/accounts/login/?next=/notifications/"
    assert Client().post("/notifications/read-all/")["Location"].startswith("/accounts/login/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_times_are_relative_with_the_members_time_zone_on_hover(client_a, user):
    from datetime import UTC, datetime

    notification = NotificationFactory(recipient=user)
    Notification.objects.filter(pk=notification.pk).update(created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    user.timezone = "Europe/Paris"
    user.save(update_fields=["timezone"])
    html = client_a.get("/notifications/").content.decode()
    assert '<time datetime="2026-01-15T13:00:00+01:00" title="2026-01-15 13:00 CET">' in html
    assert re.search(r"<time [^>]+>\d+\W+(year|month)s?(, \d+\W+\w+)? ago</time>", html)


def test_inbox_query_count_does_not_grow_with_the_page(client_a, user, django_assert_num_queries):
    from challenges.tests.factories import ChallengeFactory

    slug = ChallengeFactory().slug
    kinds = [("reward_paid", {"challenge": slug}), ("deposit_credited", {"transaction_id": 1}), ("welcome", {})]
    for i in range(25):
        kind, data = kinds[i % 3]
        NotificationFactory(recipient=user, kind=kind, data=data)
    client_a.get("/notifications/")
    # Session, user, page count, the page's rows, the menu's unread count.
    with django_assert_num_queries(5):
        html = client_a.get("/notifications/").content.decode()
    assert html.count('data-testid="notification-link"') == 25


def test_a_notification_of_the_last_minute_is_just_now(client_a, user):
    NotificationFactory(recipient=user)
    html = client_a.get("/notifications/").content.decode()
    assert re.search(r'<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">just now</time>', html)
