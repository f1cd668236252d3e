"""Reads for moderators and members: flags per submission, a member's choices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from ai.models import MemberAIPreference, SimilarityFlag

if TYPE_CHECKING:
    from accounts.models import User


def flags_for_submissions(*, submission_ids: Iterable[int]) -> dict[int, list[SimilarityFlag]]:
    """Each submission's flags, highest score first (one query)."""
    grouped: dict[int, list[SimilarityFlag]] = defaultdict(list)
    rows = (
        SimilarityFlag.objects.filter(submission_id__in=list(submission_ids))
        .select_related("matched__challenge")
        .order_by("-score", "pk")
    )
    for flag in rows:
        grouped[flag.submission_id].append(flag)
    return dict(grouped)


def flag_list() -> QuerySet[SimilarityFlag]:
    return SimilarityFlag.objects.select_related("submission__challenge", "matched__challenge", "decided_by")


def analyse_submissions_allowed(*, user: User) -> bool:
    return not MemberAIPreference.objects.filter(user_id=user.pk, analyse_submissions=False).exists()
