"""Site pages that belong to no single app: the home page and the member's
dashboard, composed from each app's selectors (a fixed number of queries whatever
the data). Apps never import this module; it may read from every app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import user_get_with_wallet
from challenges.selectors import challenge_sections, submission_count_for_user, user_badges
from core.charts import diverging_bars
from governance.selectors import vote_count_for_user
from notifications.selectors import notification_list
from subscriptions.selectors import subscription_for_user
from wallets.selectors import money_period_for_user


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def _month_at_a_glance(user: Any, now: datetime) -> dict[str, Any]:
    """This calendar month (UTC) so far: the ledger's totals and days, submissions, votes."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = now + timedelta(microseconds=1)
    month = money_period_for_user(user=user, start=start, end=end)
    busiest = max(month.days, key=lambda d: (d.tokens_in + d.tokens_out, d.day))
    return {
        "month": month,
        "month_chart": diverging_bars(
            [d.day for d in month.days], [d.tokens_in for d in month.days], [d.tokens_out for d in month.days]
        ),
        "month_busiest": busiest if busiest.tokens_in or busiest.tokens_out else None,
        "month_active_days": [d for d in month.days if d.tokens_in or d.tokens_out],
        "month_submissions": submission_count_for_user(user=user, since=start, until=end),
        "month_votes": vote_count_for_user(user=user, since=start, until=end),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One glance at everything a member has."""
    user = user_get_with_wallet(user_id=request.user.pk)
    context = {
        "profile_user": user,
        "wallet": user.wallet,
        "subscription": subscription_for_user(user=user),
        "notifications": list(notification_list(user=user)[:5]),
        "badges": list(user_badges(user_id=user.pk)[:6]),
        "open_challenges": challenge_sections(user=user)["open"][:3],
        **_month_at_a_glance(user, timezone.now()),
    }
    return render(request, "accounts/dashboard.html", context)
