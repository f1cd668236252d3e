"""The dashboard's "month at a glance": tokens in and out, staked, rewards, submissions
and votes of this calendar month (UTC), a small chart of the days with its text
alternative, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges.tests.factories import SubmissionFactory
from governance.services import vote_cast
from governance.tests.factories import open_proposal, staked_member
from wallets import selectors, services
from wallets.tests.factories import WalletAddressFactory

pytestmark = pytest.mark.django_db


def _month_start():
    return timezone.now().astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _last_month():
    """The clock three days before this month (ledger rows are never backdated)."""
    return time_machine.travel(_month_start() - timedelta(days=3), tick=False)


@pytest.fixture
def member():
    user = staked_member("100", available="2000")  # this month: +2,100 in, 100 staked
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_month_money_is_the_ledger_of_this_month(member):
    user = member.user
    with _last_month():
        services.deposit_create(user=user, amount=Decimal("5000"), memo="old")
    services.reward_credit(user=user, amount=Decimal("0.25"), memo="prize")
    services.payment_debit(user=user, amount=Decimal("12"), memo="fee")
    services.unstake_create(user=user, amount=Decimal("30"))
    address = WalletAddressFactory(wallet=user.wallet)
    pending = services.withdrawal_request(user=user, amount=Decimal("1"), address_id=address.pk)
    sent = services.withdrawal_request(user=user, amount=Decimal("3"), address_id=address.pk)
    services.withdrawal_approve(withdrawal_id=sent.pk, actor=UserFactory(roles=["operator"]))
    assert pending.status == "pending"  # not out yet: held

    month = selectors.money_period_for_user(user=user, start=_month_start(), end=timezone.now())
    assert (month.tokens_in, month.tokens_out) == (Decimal("2100.25"), Decimal(15))
    assert (month.rewards, month.staked, month.unstaked) == (Decimal("0.25"), Decimal(100), Decimal(30))
    today = timezone.now().astimezone(UTC).date()
    assert month.days[0].day == _month_start().date() and month.days[-1].day == today
    assert sum(d.tokens_in for d in month.days) == month.tokens_in

    html = member.get("/dashboard/").content.decode()
    assert 'data-testid="month-in">+2,100.25<' in html
    assert 'data-testid="month-out">&minus;15<' in html
    assert 'data-testid="month-staked">100<span class="stat-hint">30 unstaked</span>' in html
    assert 'data-testid="month-rewards">0.25<' in html
    assert re.search(r'class="chart-bar chart-bar-up"[^>]*><title>[^<]*: \+2,100.25</title>', html)
    assert re.search(r'class="chart-bar chart-bar-down"[^>]*><title>[^<]*: &minus;15</title>', html)
    summary = re.search(r'data-testid="month-summary">([^<]+)', html)[1]
    assert "2,100.25 in and 15 out" in summary


def test_month_counts_submissions_and_votes(member):
    user = member.user
    SubmissionFactory(user=user)
    SubmissionFactory(user=user, submitted_at=_month_start() - timedelta(seconds=1))
    vote_cast(proposal_id=open_proposal().pk, voter=user, choice="for")
    html = member.get("/dashboard/").content.decode()
    assert 'data-testid="month-submissions">1<' in html
    assert 'data-testid="month-votes">1<' in html


def test_an_empty_month_says_so():
    from accounts.tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    html = client.get("/dashboard/").content.decode()
    assert "No tokens came in or went out this month yet." in html
    assert 'data-testid="month-in">0<' in html and 'class="chart-bar' not in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/dashboard/").status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_ledger(member):
    few = _queries(member)
    for _ in range(20):
        services.deposit_create(user=member.user, amount=Decimal("1"), memo="more")
        services.stake_create(user=member.user, amount=Decimal("1"))
    SubmissionFactory(user=member.user)
    assert _queries(member) == few == 14
