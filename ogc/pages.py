"""Site pages that belong to no single app: the home page and the member's
dashboard, composed from each app's selectors (a fixed number of queries whatever
the data). Apps never import this module; it may read from every app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import user_get_with_wallet
from challenges.selectors import challenge_sections, user_badges
from notifications.selectors import notification_list
from subscriptions.selectors import subscription_for_user


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


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
    }
    return render(request, "accounts/dashboard.html", context)
