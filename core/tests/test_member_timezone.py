"""MemberTimezoneMiddleware: a member's pages show times in the profile's time zone;
visitors, unknown zones and the API stay on settings.TIME_ZONE (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.i18n import datetime_text, member_locale
from notifications.services import notify

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


def _announce(user):
    note = notify(user=user, kind="announcement", title="Hello", body="Body")
    type(note).objects.filter(pk=note.pk).update(created_at=MOMENT)


def test_a_members_pages_use_their_time_zone(client):
    member = UserFactory(timezone="America/New_York")
    _announce(member)
    client.force_login(member)
    page = client.get("/notifications/").content.decode()
    assert "2026-01-15 18:30 EST" in page  # 23:30 UTC
    assert "2026-01-15 23:30" not in page


def test_another_zone_across_midnight(client):
    member = UserFactory(timezone="Asia/Tokyo")
    _announce(member)
    client.force_login(member)
    assert "2026-01-16 08:30 JST" in client.get("/notifications/").content.decode()


@pytest.mark.parametrize("zone", ["UTC", "", "Mars/Olympus_Mons"])
def test_utc_without_a_known_zone(client, zone):
    member = UserFactory()
    type(member).objects.filter(pk=member.pk).update(timezone=zone)  # bypass the validator: stale data
    _announce(member)
    client.force_login(member)
    assert "2026-01-15 23:30 UTC" in client.get("/notifications/").content.decode()


def test_the_zone_does_not_leak_into_the_next_request(client):
    member = UserFactory(timezone="Asia/Tokyo")
    client.force_login(member)
    client.get("/notifications/")
    assert timezone.get_current_timezone_name() == "UTC"
    client.logout()
    visitor_page = client.get("/")
    assert visitor_page.status_code == 200 and timezone.get_current_timezone_name() == "UTC"


def test_the_api_stays_in_utc_for_a_session_member(client):
    member = UserFactory(timezone="Asia/Tokyo")
    _announce(member)
    client.force_login(member)
    body = client.get("/api/v1/notifications/").json()
    created = body["results"][0]["created_at"]
    assert created.startswith("2026-01-15T23:30:00") and created.endswith("Z"), created


def test_text_written_for_a_member_uses_their_zone():
    member = UserFactory(timezone="Europe/Madrid", locale="es")
    with member_locale(member):
        assert datetime_text(MOMENT) == "2026-01-16 00:30 CET"
    assert datetime_text(MOMENT) == "2026-01-15 23:30 UTC"
    assert timezone.get_current_timezone() != ZoneInfo("Europe/Madrid")
