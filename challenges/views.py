"""Pages: challenge list, detail (submit, my submissions), leaderboard, badges, public profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from challenges import selectors, services
from challenges.api.views import client_ip
from challenges.forms import SubmissionForm
from core.exceptions import ApplicationError, NotFoundError
from core.throttling import throttle_page_post


def _challenge_or_404(request: HttpRequest, slug: str, **kwargs):
    try:
        return selectors.challenge_get(slug=slug, user=request.user, **kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def challenge_list(request: HttpRequest) -> HttpResponse:
    return render(request, "challenges/list.html", {"sections": selectors.challenge_sections(user=request.user)})


#: Leaderboard rows shown on the challenge page (the full list has its own page).
STANDINGS_SHOWN = 10
LEADERBOARD_PAGE_SIZE = 50


@throttle_page_post("money")  # a first submission pays the entry fee
def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The challenge: its standings first (CTFd's scoreboard), its prizes, and the entry
    form only when ``submission_create`` could accept it; otherwise what stands in the
    way (not open yet, over, every entry used, the fee above the balance) and the way on."""
    challenge = _challenge_or_404(request, slug)
    form = SubmissionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next=/challenges/{slug}/")
        if form.is_valid():
            try:
                services.submission_create(
                    user=request.user, challenge_id=challenge.pk, ip_address=client_ip(request), **form.cleaned_data
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, gettext("Submission received."))
                return redirect("challenge_detail", slug=slug)
    mine = (
        list(selectors.submission_list(challenge=challenge, user=request.user).filter(user=request.user))
        if request.user.is_authenticated
        else []
    )
    rows = list(selectors.leaderboard(challenge=challenge)[:STANDINGS_SHOWN])
    context = {
        "challenge": challenge,
        "form": form,
        "mine": mine,
        "outlook": selectors.submission_outlook(challenge=challenge, user=request.user, mine=mine),
        "standings": selectors.standings(challenge=challenge, rows=rows),
        "prizes": selectors.prize_split(challenge=challenge),
    }
    return render(request, "challenges/detail.html", context)


@login_required
@require_POST
def submission_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = _challenge_or_404(request, slug)
    try:
        services.submission_withdraw(user=request.user, submission_id=pk, challenge_id=challenge.pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Submission withdrawn."))
    return redirect("challenge_detail", slug=slug)


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge_or_404(request, slug)
    page = Paginator(selectors.leaderboard(challenge=challenge), LEADERBOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    top_score = None if page.number == 1 else selectors.leaderboard_top_score(challenge=challenge)
    context = {
        "challenge": challenge,
        "page": page,
        "standings": selectors.standings(
            challenge=challenge, rows=rows, first_place=page.start_index(), top_score=top_score
        ),
    }
    return render(request, "challenges/leaderboard.html", context)


@login_required
def my_badges(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.user_badges(user_id=request.user.pk))
    held = {user_badge.badge_id for user_badge in mine}
    catalog = [badge for badge in selectors.badge_catalog() if badge.pk not in held]
    return render(request, "challenges/badges.html", {"mine": mine, "catalog": catalog})


def public_profile(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        profile = selectors.public_profile(user_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return render(request, "challenges/profile.html", {"profile": profile})
