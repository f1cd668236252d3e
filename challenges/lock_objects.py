"""Row locks of the challenges app, in one place.

Lock order everywhere: the challenge row first, then its submissions, then
wallets (several wallets in primary-key order, see ``wallets.lock_objects``).
Submitting, reviewing, judging and paying one challenge therefore serialise on
its row, and no two paths take the same locks in opposite orders.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from challenges.models import Badge, Challenge, Submission, UserBadge
from core.exceptions import NotFoundError


def challenge_for_update(*, challenge_id: int) -> Challenge:
    challenge = Challenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."), code="challenge_not_found")
    return challenge


def submission_for_update(*, submission_id: int, challenge_id: int | None = None) -> tuple[Challenge, Submission]:
    """Lock the submission's challenge, then the submission (re-read under the lock)."""
    lookup = Submission.objects.filter(pk=submission_id)
    if challenge_id is not None:
        lookup = lookup.filter(challenge_id=challenge_id)
    found_challenge_id = lookup.values_list("challenge_id", flat=True).first()
    if found_challenge_id is None:
        raise NotFoundError(_("Submission not found."), code="submission_not_found")
    challenge = challenge_for_update(challenge_id=found_challenge_id)
    # FOR UPDATE on a join would lock the joined rows too: lock the submission alone.
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    return challenge, submission


def user_badge_for_update(*, user_id: int, badge: Badge) -> UserBadge | None:
    """The (user, badge) row, locked, or None when the user never held the badge."""
    return UserBadge.objects.select_for_update().filter(user_id=user_id, badge=badge).first()
