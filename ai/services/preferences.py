"""Members' choices about the AI segment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from ai.models import Embedding, FlagOutcome, MemberAIPreference, SimilarityFlag, SourceKind

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def preference_set(*, user: User, analyse_submissions: bool) -> MemberAIPreference:
    """Opt in or out of having one's submissions analysed. Opting out deletes the
    vectors of the member's submissions and the flags still awaiting review that
    involve them (a decided flag stays: it is the record of a moderator's decision)."""
    from challenges.models import Submission

    preference, _created = MemberAIPreference.objects.get_or_create(user=user)
    if preference.analyse_submissions != analyse_submissions:
        preference.analyse_submissions = analyse_submissions
        preference.save(update_fields=["analyse_submissions", "updated_at"])
    if not analyse_submissions:
        mine = list(Submission.objects.filter(user=user).values_list("pk", flat=True))
        Embedding.objects.filter(kind=SourceKind.SUBMISSION, object_id__in=mine).delete()
        for flag in SimilarityFlag.objects.filter(
            Q(submission_id__in=mine) | Q(matched_id__in=mine), outcome=FlagOutcome.OPEN
        ).order_by("pk"):
            flag.delete()  # one by one: each deletion has its audit entry
    return preference
