"""Read layer of the challenges app. Each list is a fixed number of queries
whatever its length (``select_related``/``prefetch_related``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import (
    ACTIVE_SUBMISSION_STATUSES,
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
from core.amounts import ZERO
from core.db_router import reads_from_replica
from core.exceptions import NotFoundError
from core.permissions import ROLE_MODERATOR, ROLE_OPERATOR, has_role
from subscriptions.selectors import user_has_feature
from wallets.selectors import wallet_get_for_user

if TYPE_CHECKING:
    from accounts.models import User

CS = ChallengeStatus
#: The plan feature that doubles a member's submission limit.
EXTRA_SUBMISSIONS_FEATURE = "extra_submissions"


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


@reads_from_replica
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


@reads_from_replica
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
        raise NotFoundError(_("Challenge not found."), code="challenge_not_found")
    return challenge


@reads_from_replica
def submission_list(*, challenge: Challenge, user: User, status: str | None = None) -> QuerySet[Submission]:
    """Staff see every submission of the challenge (the review queue when
    ``status=submitted``); others see their own only."""
    qs = Submission.objects.filter(challenge=challenge).select_related("user", "reviewer", "challenge")
    if not is_challenge_staff(user):
        qs = qs.filter(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def submission_count_for_user(*, user: User, since: datetime, until: datetime) -> int:
    """How many submissions ``user`` made from ``since`` (included) to ``until`` (excluded);
    one query on ``idx_submission_user`` (the dashboard's month at a glance)."""
    return Submission.objects.filter(user_id=user.pk, submitted_at__gte=since, submitted_at__lt=until).count()


def submission_get(*, challenge: Challenge, submission_id: int, user: User) -> Submission:
    submission = submission_list(challenge=challenge, user=user).filter(pk=submission_id).first()
    if submission is None:
        raise NotFoundError(_("Submission not found."), code="submission_not_found")
    return submission


def review_queue(*, challenge: Challenge | None = None) -> QuerySet[Submission]:
    """Submissions awaiting review, oldest first."""
    qs = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).select_related("user", "challenge")
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    return qs.order_by("submitted_at", "id")


@reads_from_replica
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


def leaderboard_top_score(*, challenge: Challenge) -> Decimal | None:
    """The best score on the leaderboard (what a full score bar stands for)."""
    return leaderboard(challenge=challenge).values_list("score", flat=True).first()


def _share(value: Decimal | None, whole: Decimal | None) -> str:
    """``value`` as a percentage of ``whole`` for a bar's width ("62.5"); a positive value
    never rounds to an invisible bar."""
    if not value or not whole or value <= 0 or whole <= 0:
        return "0"
    return f"{max(min(value * 100 / whole, Decimal(100)), Decimal(1)):.1f}"


@dataclass(frozen=True)
class Standing:
    """A leaderboard row to show: ``place`` is the stored rank once judged, else the
    position; ``prize`` what was paid, else what the split gives that place;
    ``score_bar`` the score as a share of the top score."""

    submission: Submission
    place: int
    prize: Decimal | None
    prize_paid: bool
    score_bar: str


def standings(
    *, challenge: Challenge, rows: Sequence[Submission], first_place: int = 1, top_score: Decimal | None = None
) -> list[Standing]:
    """Leaderboard rows (from ``leaderboard``, with user and reward) ready to show. No query;
    ``top_score`` defaults to the first row's when the rows start at first place."""
    prizes = challenge.prize_amounts
    if top_score is None and rows and first_place == 1:
        top_score = rows[0].score
    result = []
    for offset, row in enumerate(rows):
        place = row.rank or first_place + offset
        reward = getattr(row, "reward", None)
        prize = reward.amount if reward is not None else (prizes[place - 1] if place <= len(prizes) else None)
        result.append(Standing(row, place, prize, reward is not None, _share(row.score, top_score)))
    return result


def prize_split(*, challenge: Challenge) -> list[dict]:
    """The prize of each rank with its bar (a share of the first prize, the largest)."""
    amounts = challenge.prize_amounts
    largest = max(amounts, default=ZERO)
    return [{"rank": rank, "amount": amount, "bar": _share(amount, largest)} for rank, amount in enumerate(amounts, 1)]


def submission_limit(*, challenge: Challenge, user: User) -> int:
    """The challenge's per-user limit; doubled for plans with ``extra_submissions``
    (the rule ``submission_create`` enforces)."""
    return _limit(challenge, extra=user_has_feature(user=user, feature=EXTRA_SUBMISSIONS_FEATURE))


def _limit(challenge: Challenge, *, extra: bool) -> int:
    return challenge.max_submissions_per_user * (2 if extra else 1)


@dataclass(frozen=True)
class SubmitOutlook:
    """Whether ``user`` can submit to a challenge now and, if not, why: the pages say so
    instead of offering a form ``submission_create`` would refuse (it decides again).

    ``blocker``: "" (they can), "login", "draft", "upcoming", "closed" (judging under
    way), "over" (judged or archived), "limit" (every entry used), "funds" (the entry
    fee is more than the available balance)."""

    blocker: str
    limit: int = 0
    used: int = 0
    extra_from_plan: bool = False
    fee_due: Decimal = ZERO
    available: Decimal | None = None

    @property
    def can_submit(self) -> bool:
        return not self.blocker

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


_PHASE_BLOCKERS: dict[str, str] = {
    ChallengePhase.DRAFT: "draft",
    ChallengePhase.UPCOMING: "upcoming",
    ChallengePhase.CLOSED: "closed",
    ChallengePhase.JUDGED: "over",
    ChallengePhase.ARCHIVED: "over",
}


def submission_outlook(
    *, challenge: Challenge, user: User, mine: Sequence[Submission], now: datetime | None = None
) -> SubmitOutlook:
    """``mine``: the user's submissions to the challenge (a user with any has entered and
    paid the fee). At most two queries: the plan's feature, the wallet when a fee is due."""
    phase = challenge.phase_at(now or timezone.now())
    if phase != ChallengePhase.OPEN:
        return SubmitOutlook(blocker=_PHASE_BLOCKERS.get(phase, "closed"))
    if not getattr(user, "is_authenticated", False):
        return SubmitOutlook(blocker="login")
    extra = user_has_feature(user=user, feature=EXTRA_SUBMISSIONS_FEATURE)
    limit = _limit(challenge, extra=extra)
    used = sum(1 for submission in mine if submission.status in ACTIVE_SUBMISSION_STATUSES)
    if used >= limit:
        return SubmitOutlook(blocker="limit", limit=limit, used=used, extra_from_plan=extra)
    fee_due = ZERO if mine else challenge.entry_fee
    available = wallet_get_for_user(user=user).available if fee_due > 0 else None
    return SubmitOutlook(
        blocker="funds" if available is not None and available < fee_due else "",
        limit=limit,
        used=used,
        extra_from_plan=extra,
        fee_due=fee_due,
        available=available,
    )


@reads_from_replica
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


@reads_from_replica
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
        raise NotFoundError(_("User not found."), code="user_not_found")
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
