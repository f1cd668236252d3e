"""Operator console for challenges: review queue, judging and paying (admin actions
that call the services, each with an audit entry naming the action), badge management.
Rewards, entries and ledger links are read-only.

One module per concern, all registered by importing this package (admin autodiscovery
imports ``challenges.admin``): ``challenge`` (challenges and the open-challenges chart),
``submissions`` (submissions, rewards, entries and the review tile), ``badges`` (badges
and holders), with ``base`` (what they share). The review queue is
``challenges/admin_queues.py``."""

from challenges.admin.badges import BadgeActionForm, BadgeAdmin, UserBadgeAdmin
from challenges.admin.base import ReadOnlyAdmin
from challenges.admin.challenge import ChallengeAdmin, ChallengeAdminForm, active_challenges_chart
from challenges.admin.submissions import ChallengeEntryAdmin, RewardAdmin, SubmissionAdmin, submissions_tile

__all__ = [
    "BadgeActionForm",
    "BadgeAdmin",
    "ChallengeAdmin",
    "ChallengeAdminForm",
    "ChallengeEntryAdmin",
    "ReadOnlyAdmin",
    "RewardAdmin",
    "SubmissionAdmin",
    "UserBadgeAdmin",
    "active_challenges_chart",
    "submissions_tile",
]
