"""The staker badge speaks plain words: migration 0003 rewrote the description that
named the setting ``OGC_BADGE_STAKER_MIN`` (and only it), and the pages and the
notification say the live threshold, in the reader's language."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import override_settings

from accounts.tests.factories import UserFactory
from challenges.models import Badge, BadgeRule
from challenges.tests.factories import BadgeFactory, moderator, run_badge_messages
from notifications.models import Notification
from wallets.services import stake_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

SETTING = "OGC_BADGE_STAKER_MIN"
migration = importlib.import_module("challenges.migrations.0003_staker_badge_words")


def _rows() -> dict[str, tuple]:
    return {b.slug: (b.name, b.description, b.icon, b.rule, b.active, b.updated_at) for b in Badge.objects.all()}


def test_a_migrated_database_names_no_setting():
    staker = Badge.objects.get(slug="staker")
    assert staker.description == "Has at least 1,000 OGC staked."
    assert not Badge.objects.filter(description__contains=SETTING).exists()
    assert SETTING not in str(BadgeRule.STAKER.label)


def test_the_migration_rewrites_only_the_texts_that_name_the_setting():
    Badge.objects.filter(slug="staker").update(description=migration.OLD_DESCRIPTION)
    edited = BadgeFactory(slug="whale", description="Top holder: OGC_BADGE_STAKER_MIN OGC or more.")
    BadgeFactory(slug="plain", description="Has at least 1,000 OGC staked, twice.")
    before = _rows()

    migration.plain_words(apps, None)

    after = _rows()
    assert after["staker"][1] == "Has at least 1,000 OGC staked."
    assert after["whale"][1] == "Top holder: 1,000 OGC or more."
    untouched = set(before) - {"staker", edited.slug}
    assert {slug: after[slug] for slug in untouched} == {slug: before[slug] for slug in untouched}
    assert after["staker"][0] == before["staker"][0] and after["staker"][5] == before["staker"][5]

    migration.setting_name(apps, None)  # backwards: the default text only
    assert Badge.objects.get(slug="staker").description == migration.OLD_DESCRIPTION
    assert Badge.objects.get(slug="whale").description == "Top holder: 1,000 OGC or more."
    assert Badge.objects.get(slug="plain").description == "Has at least 1,000 OGC staked, twice."


@override_settings(OGC_BADGE_STAKER_MIN=Decimal("2500"))
@pytest.mark.parametrize(
    ("locale", "title", "body"),
    [
        ("en", "Badge earned: Committed staker", "Has at least 2,500 OGC staked."),
        ("es", "Insignia conseguida: Staker comprometido", "Tiene al menos 2,500 OGC en staking."),
    ],
)
def test_the_staker_notification_says_the_live_threshold(locale, title, body, broker):
    user = funded_user("3000", locale=locale)
    run_badge_messages(lambda: stake_create(user=user, amount="2500"))  # the worker's job, here
    earned = Notification.objects.filter(recipient=user, kind="badge_earned", data__badge="staker").get()
    assert (earned.title, earned.body) == (title, body)
    assert SETTING not in earned.title + earned.body


def test_the_badge_pages_show_the_threshold_not_the_setting(client):
    member = UserFactory()
    client.force_login(member)
    page = client.get("/badges/").content.decode()
    assert "Has at least 1,000 OGC staked." in page and SETTING not in page
    spanish = client.get("/badges/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Tiene al menos 1,000 OGC en staking." in spanish and "Staker comprometido" in spanish


def test_a_revoked_badge_is_announced_in_the_members_language():
    from challenges import services

    user = UserFactory(locale="es")
    services.badge_award(badge_slug="first-stake", user=user, actor=moderator(), reason="manual")
    services.badge_revoke(badge_slug="first-stake", user=user, actor=moderator(), reason="error de carga")
    revoked = Notification.objects.get(recipient=user, kind="badge_revoked")
    assert revoked.title == "Insignia retirada: Primer staking"
    assert revoked.body == "Se te ha retirado la insignia Primer staking: error de carga"
