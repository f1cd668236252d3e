"""Every changelist and change form of the console answers in a fixed number of
queries, whatever the page size (no N+1): measured at 2 and 6 rows per page on data
where every list holds more than 6 rows of varied relations. The main lists' counts
are pinned exactly (a new query per page is a decision, not an accident). Never
timings: those are bench/admin.py's job (docs/performance.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.services import badge_award, submission_create
from challenges.tests.factories import BadgeFactory, ChallengeFactory
from core.audit import command_context
from core.permissions import ROLE_OPERATOR
from governance.services import vote_cast
from governance.tests.factories import open_proposal, staked_member
from notifications.models import Notification, NotificationDelivery
from subscriptions.models import SubscriptionStatus
from subscriptions.tests.factories import PlanFactory, SubscriptionFactory
from tests.console import client_for, pending_withdrawal, seed_roles, staff

pytestmark = pytest.mark.django_db

ROWS = 8
SMALL, LARGE = 2, 6

#: Exact query counts of the main console pages (superuser; at any page size).
# Every console page also asks whether the staff account has a second factor
# (accounts.middleware.StaffMfaMiddleware: one query, issue #17): the "+ mfa" below.
PINNED = {
    # session, user, mfa, row estimate, count (small table: exact), page, members, actors
    "/admin/wallets/transaction/": 8,
    # + the summary line, the page's history (one grouped query), wallets prefetched
    "/admin/wallets/transaction/withdrawals/queue/": 10,
    # filtered by default (empty entries hidden): the optimizer's estimate, no table size
    # under 5,000; + actors prefetched, every object label in one UNION, the date bounds,
    # staff for the filter
    "/admin/auditlog/logentry/": 9,
    # + the similarity flags of the page's submissions (one query: the AI panel above the rows)
    "/admin/challenges/submission/queue/": 10,
    "/admin/subscriptions/subscription/past-due/": 10,
    "/admin/notifications/notification/": 8,
    "/admin/accounts/user/": 8,
    "/admin/wallets/wallet/": 6,
}


@pytest.fixture
def platform():
    """A little of everything the console lists, ``ROWS`` of each main kind."""
    seed_roles()
    operator = staff(ROLE_OPERATOR)
    challenge = ChallengeFactory()
    plan = PlanFactory(code="plus", price=Decimal("20"))
    voters = [staked_member("10") for _ in range(3)]
    proposal = open_proposal()
    badges = [BadgeFactory(slug="helper", name="Helper"), BadgeFactory(slug="mentor", name="Mentor")]
    for n in range(ROWS):
        row = pending_withdrawal("5", display_name=f"Member {n}")
        member = row.user
        submission_create(user=member, challenge_id=challenge.pk, title=f"Entry {n}", content="An entry.")
        badge_award(badge_slug=badges[n % 2].slug, user=member, actor=operator, reason="helped")
        end = timezone.now() - timedelta(hours=1)
        SubscriptionFactory(
            user=member,
            plan=plan,
            status=SubscriptionStatus.PAST_DUE,
            current_period_start=end - timedelta(days=30),
            current_period_end=end,
            past_due_since=end,
        )
    for voter in voters:
        vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")
    with command_context("test"):
        call_command("verify_ledger", "--no-progress", stdout=StringIO(), stderr=StringIO())
        call_command("check_integrity", stdout=StringIO(), stderr=StringIO())
    return client_for(staff(None))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _at_page_size(client, model_admin, url: str, size: int) -> int:
    original = model_admin.list_per_page
    model_admin.list_per_page = size
    try:
        return _queries(client, url)
    finally:
        model_admin.list_per_page = original


def _console_lists():
    """(url, the ModelAdmin whose list_per_page applies) of every changelist."""
    lists = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        lists.append((f"/admin/{opts.app_label}/{opts.model_name}/", model_admin))
    transactions = admin.site._registry[__import__("wallets.models", fromlist=["Transaction"]).Transaction]
    lists.append(("/admin/wallets/transaction/withdrawals/queue/", transactions.withdrawal_queue))
    submissions = admin.site._registry[__import__("challenges.models", fromlist=["Submission"]).Submission]
    lists.append(("/admin/challenges/submission/queue/", submissions.review_queue))
    subscriptions = admin.site._registry[__import__("subscriptions.models", fromlist=["Subscription"]).Subscription]
    lists.append(("/admin/subscriptions/subscription/past-due/", subscriptions.past_due_queue))
    return sorted(lists, key=lambda item: item[0])


def test_every_changelist_is_a_constant_number_of_queries(platform):
    counts = {}
    for url, model_admin in _console_lists():
        small = _at_page_size(platform, model_admin, url, SMALL)
        large = _at_page_size(platform, model_admin, url, LARGE)
        counts[url] = (small, large)
    varying = {url: c for url, c in counts.items() if c[0] != c[1]}
    assert not varying, f"query count grows with the page size: {varying}"
    assert {url: counts[url][0] for url in PINNED} == PINNED


def test_the_stuck_deliveries_filter_is_a_constant_number_of_queries(platform):
    """The dashboard tile's link (``?delivery=stuck``): every delivery queued past the
    relay's grace, so every notification of the fixture is on the list."""
    NotificationDelivery.objects.update(queued_at=timezone.now() - timedelta(hours=1))
    assert Notification.objects.count() > LARGE
    model_admin = admin.site._registry[Notification]
    url = "/admin/notifications/notification/?delivery=stuck"
    counts = {_at_page_size(platform, model_admin, url, size) for size in (SMALL, LARGE)}
    # session, user, mfa, the optimizer's estimate (small: no table size), count, page, members, delivery states
    assert counts == {8}


def test_every_change_form_is_a_constant_number_of_queries(platform):
    """Two objects of each model (the newest two) cost the same: an inline or a read-only
    relation that queries per row would differ between a richer and a poorer object only
    by chance, so the bound is checked too (no change form above 20 queries)."""
    too_many = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for pk in model_admin.get_queryset(_Request()).order_by("-pk").values_list("pk", flat=True)[:2]:
            count = _queries(platform, f"/admin/{opts.app_label}/{opts.model_name}/{pk}/change/")
            if count > 20:
                too_many[f"{opts.label_lower} {pk}"] = count
    assert not too_many


def test_the_dashboard_is_a_fixed_number_of_queries(platform, settings):
    settings.OGC_CONSOLE_CHART_CACHE_SECONDS = 0
    assert _queries(platform, "/admin/") == 14  # session, user, mfa, one per tile, one per chart


class _Request:
    GET: dict = {}
    user = None
