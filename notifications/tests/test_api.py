"""Notifications API: my inbox only, filters, counts, read state, preferences."""

import pytest
from django.utils import timezone

from conftest import make_token_client
from notifications.models import Notification, NotificationPreference
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(user):
    old = NotificationFactory(recipient=user, kind="badge_earned", title="old")
    read = NotificationFactory(recipient=user, kind="announcement", title="read", read_at=timezone.now())
    new = NotificationFactory(recipient=user, kind="announcement", title="new")
    return old, read, new


def test_list_is_mine_newest_first_and_filters(auth_client, inbox, other_user):
    NotificationFactory(recipient=other_user, title="someone else's")
    body = auth_client.get("/api/v1/notifications/").json()
    assert body["count"] == 3
    assert [n["title"] for n in body["results"]] == ["new", "read", "old"]
    assert set(body["results"][0]) == {"id", "kind", "title", "body", "data", "created_at", "read_at", "is_read"}

    unread = auth_client.get("/api/v1/notifications/?unread=true").json()
    assert [n["title"] for n in unread["results"]] == ["new", "old"]
    read = auth_client.get("/api/v1/notifications/?unread=false").json()
    assert [n["title"] for n in read["results"]] == ["read"]
    by_kind = auth_client.get("/api/v1/notifications/?kind=badge_earned").json()
    assert [n["title"] for n in by_kind["results"]] == ["old"]
    assert auth_client.get("/api/v1/notifications/?page_size=1").json()["next"]


def test_bad_filters_are_400(auth_client):
    assert auth_client.get("/api/v1/notifications/?kind=nope").status_code == 400
    assert auth_client.get("/api/v1/notifications/?colour=red").status_code == 400


def test_list_query_count_does_not_grow(auth_client, user, django_assert_num_queries):
    NotificationFactory.create_batch(30, recipient=user)
    auth_client.get("/api/v1/notifications/unread-count/")  # the token's first use records it (then once a minute)
    with django_assert_num_queries(3):  # token + user, COUNT, page
        assert auth_client.get("/api/v1/notifications/").status_code == 200


def test_unread_count_mark_read_and_read_all(auth_client, inbox):
    _old, _read, new = inbox
    assert auth_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    response = auth_client.post(f"/api/v1/notifications/{new.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    first_read_at = Notification.objects.get(pk=new.pk).read_at
    assert auth_client.post(f"/api/v1/notifications/{new.pk}/read/").status_code == 200  # idempotent
    assert Notification.objects.get(pk=new.pk).read_at == first_read_at
    assert auth_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert auth_client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert auth_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_user_b_cannot_see_or_mark_a_notifications(user, other_user):
    mine = NotificationFactory(recipient=user, title="A's secret")
    client_b = make_token_client(other_user)
    assert client_b.get("/api/v1/notifications/").json()["count"] == 0
    response = client_b.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client_b.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    mine.refresh_from_db()
    assert mine.read_at is None


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/v1/notifications/").status_code == 401
    assert api_client.get("/api/v1/notifications/unread-count/").status_code == 401


def test_preferences_read_and_update(auth_client, user):
    body = auth_client.get("/api/v1/notifications/preferences/").json()
    rows = {(r["kind"], r["channel"]): r for r in body}
    assert rows[("announcement", "email")] == {
        "kind": "announcement",
        "kind_label": "Announcement",
        "channel": "email",
        "enabled": True,
        "locked": False,
    }
    assert rows[("deposit_credited", "in_app")]["locked"] is True

    response = auth_client.put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "announcement", "channel": "email", "enabled": False}]},
    )
    assert response.status_code == 200
    rows = {(r["kind"], r["channel"]): r for r in response.json()}
    assert rows[("announcement", "email")]["enabled"] is False
    assert NotificationPreference.objects.filter(user=user, enabled=False).count() == 1


def test_locked_preference_is_refused_and_nothing_changes(auth_client, user):
    response = auth_client.put(
        "/api/v1/notifications/preferences/",
        {
            "preferences": [
                {"kind": "announcement", "channel": "email", "enabled": False},
                {"kind": "security", "channel": "in_app", "enabled": False},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "preference_locked"
    assert "preferences" in response.json()["fields"]
    assert NotificationPreference.objects.filter(user=user).count() == 0
    bad = auth_client.put(
        "/api/v1/notifications/preferences/", {"preferences": [{"kind": "x", "channel": "sms", "enabled": 1}]}
    )
    assert bad.status_code == 400
