"""Read layer of the challenges app. Each list is a fixed number of queries
whatever its length (``select_related``/``prefetch_related``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from challenges.models import (
    RANKED_SUBMISSION_STATUSES,
    Badge,
    Challenge,
    ChallengePhase,
    ChallengeStatus,
    Submission,
    SubmissionStatus,
    UserBadge,
    Visibility,
)
from core.exceptions import NotFoundError
from core.permissions import ROLE_MODERATOR, ROLE_OPERATOR, has_role

if TYPE_CHECKING:
    from accounts.models import User

CS = ChallengeStatus


def is_challenge_staff(user: User) -> bool:
    return has_role(user, ROLE_MODERATOR, ROLE_OPERATOR)


def phase_q(phase: str, now: datetime) -> Q:
    """The database condition equivalent to ``Challenge.phase_at(now) == phase``."""
    scheduled = Q(status=CS.SCHEDULED)
    if phase == ChallengePhase.UPCOMING:
        return scheduled & Q(starts_at__gt=now)
    if phase == ChallengePhase.OPEN:
        return scheduled & Q(starts_at__lte=now, ends_at__gt=now)
    if phase == ChallengePhase.CLOSED:
        return Q(status=CS.CLOSED) | (scheduled & Q(ends_at__lte=now))
    return Q(status=phase)


def challenge_list(
    *,
    user: User,
    phase: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    open_now: bool | None = None,
    now: datetime | None = None,
) -> QuerySet[Challenge]:
    """Challenges ``user`` may see: staff see every one; others see public,
    published ones (an unlisted challenge is reached by its link only)."""
    now = now or timezone.now()
    qs = Challenge.objects.all()
    if not is_challenge_staff(user):
        qs = qs.filter(visibility=Visibility.PUBLIC).exclude(status=CS.DRAFT)
    if phase:
        qs = qs.filter(phase_q(phase, now))
    if open_now is True:
        qs = qs.filter(phase_q(ChallengePhase.OPEN, now))
    elif open_now is False:
        qs = qs.exclude(phase_q(ChallengePhase.OPEN, now))
    if category:
        qs = qs.filter(category=category.strip().lower())
    if tag:
        # JSON containment differs by backend (MariaDB's JSON is LONGTEXT): match the quoted item.
        qs = qs.filter(tags__icontains=f'"{tag.strip().lower()}"')
    return qs.order_by("-starts_at", "-id")


def challenge_sections(*, user: User, now: datetime | None = None) -> dict[str, list[Challenge]]:
    """The list page's three sections: open, upcoming, past (three queries)."""
    now = now or timezone.now()
    visible = challenge_list(user=user, now=now)
    past = visible.filter(phase_q(ChallengePhase.CLOSED, now) | Q(status__in=[CS.JUDGED, CS.ARCHIVED])).order_by(
        "-ends_at", "-id"
    )
    return {
        "open": list(visible.filter(phase_q(ChallengePhase.OPEN, now)).order_by("ends_at", "id")),
        "upcoming": list(visible.filter(phase_q(ChallengePhase.UPCOMING, now)).order_by("starts_at", "id")),
        "past": list(past[:50]),
    }


def challenge_get(*, slug: str, user: User, include_drafts: bool = False) -> Challenge:
    """One challenge by slug. A draft is visible to staff only (``include_drafts``
    lets the submit path reach it and refuse with a clear 400 instead)."""
    challenge = Challenge.objects.filter(slug=slug).first()
    if challenge is None or (challenge.status == CS.DRAFT and not include_drafts and not is_challenge_staff(user)):
        raise NotFoundError("Challenge not found.", code="challenge_not_found")
    return challenge


def submission_list(*, challenge: Challenge, user: User, status: str | None = None) -> QuerySet[Submission]:
    """Staff see every submission of the challenge (the review queue when
    ``status=submitted``); others see their own only."""
    qs = Submission.objects.filter(challenge=challenge).select_related("user", "reviewer", "challenge")
    if not is_challenge_staff(user):
        qs = qs.filter(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def submission_get(*, challenge: Challenge, submission_id: int, user: User) -> Submission:
    submission = submission_list(challenge=challenge, user=user).filter(pk=submission_id).first()
    if submission is None:
        raise NotFoundError("Submission not found.", code="submission_not_found")
    return submission


def review_queue(*, challenge: Challenge | None = None) -> QuerySet[Submission]:
    """Submissions awaiting review, oldest first."""
    qs = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).select_related("user", "challenge")
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    return qs.order_by("submitted_at", "id")


def leaderboard(*, challenge: Challenge) -> QuerySet[Submission]:
    """The ranking. Once judged: the stored ranks. Before: accepted, scored
    submissions, higher score first, ties to the earlier submission (the order
    judging will store). Two queries per page (count + rows with user and reward)."""
    qs = Submission.objects.filter(challenge=challenge).select_related("user", "reward")
    if challenge.status in (CS.JUDGED, CS.ARCHIVED):
        return qs.filter(rank__isnull=False).order_by("rank")
    return qs.filter(status__in=RANKED_SUBMISSION_STATUSES, score__isnull=False).order_by(
        "-score", "submitted_at", "pk"
    )


def badge_catalog(*, include_inactive: bool = False) -> QuerySet[Badge]:
    qs = Badge.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("name", "id")


def user_badges(*, user_id: int, include_revoked: bool = False) -> QuerySet[UserBadge]:
    """A user's badges, newest first (revoked ones hidden unless asked)."""
    qs = UserBadge.objects.filter(user_id=user_id).select_related("badge")
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("-awarded_at", "-id")


def public_profile(*, user_id: int):
    """An active user with their shown badges prefetched (two queries)."""
    from django.contrib.auth import get_user_model

    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .prefetch_related(
            Prefetch(
                "user_badges",
                queryset=UserBadge.objects.filter(revoked_at__isnull=True)
                .select_related("badge")
                .order_by("-awarded_at"),
                to_attr="shown_badges",
            )
        )
        .first()
    )
    if user is None:
        raise NotFoundError("User not found.", code="user_not_found")
    return user


# --- operator console -----------------------------------------------------------------------


def submission_review_queue() -> QuerySet[Submission]:
    """Submissions waiting for a moderator, oldest first (``idx_submission_queue``)."""
    return Submission.objects.filter(status=SubmissionStatus.SUBMITTED).order_by("submitted_at", "pk")


def submissions_waiting_summary() -> dict:
    """How many submissions wait for review and since when (one query)."""
    from django.db.models import Count, Min

    return submission_review_queue().order_by().aggregate(count=Count("pk"), oldest=Min("submitted_at"))


def challenges_active_on(*, days: list, start: datetime) -> list[int]:
    """For each day (UTC dates, oldest first): how many published challenges were open
    for submissions at some moment of it (one query over the challenges that overlap)."""
    from datetime import UTC, timedelta

    if not days:
        return []
    end = start + timedelta(days=len(days))
    windows = list(
        Challenge.objects.exclude(status=CS.DRAFT)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .values_list("starts_at", "ends_at")
    )
    counts = []
    for n, _day in enumerate(days):
        day_start = start + timedelta(days=n)
        day_end = day_start + timedelta(days=1)
        counts.append(sum(1 for s, e in windows if s.astimezone(UTC) < day_end and e.astimezone(UTC) > day_start))
    return counts
