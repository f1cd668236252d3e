"""When the AI segment runs: on a submission's commit (the challenges listener) and in
the reconcile job that catches up whatever a lost message or a provider outage left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from ai.models import Embedding, SourceKind, VectorMetric
from ai.providers import Provider, ProviderError, get_provider
from ai.services.embeddings import embeddings_refresh, source_text, text_hash
from ai.services.similarity import flags_record_decision, member_allows_analysis, submission_analyse

if TYPE_CHECKING:
    from challenges.models import Submission

BATCH = 64


def on_submission_event(event: str, submission: Submission) -> None:
    """The challenges listener (inside the submission's transaction): analyse a new or
    edited submission after commit; record the moderator's decision on its flags."""
    from challenges.listeners import SUBMISSION_REVIEWED

    if event == SUBMISSION_REVIEWED:
        flags_record_decision(submission=submission)
        return
    if not settings.OGC_AI_SIMILARITY_ENABLED or not member_allows_analysis(submission.user_id):
        return
    from ai.tasks import analyse_submission

    submission_id = submission.pk
    transaction.on_commit(lambda: analyse_submission.send(submission_id))


def _stale(kind: str, objects: list[Any], provider: Provider) -> list[Any]:
    stored = dict(
        Embedding.objects.filter(
            kind=kind, model_name=provider.model_name, object_id__in=[o.pk for o in objects]
        ).values_list("object_id", "text_hash")
    )
    return [o for o in objects if stored.get(o.pk) != text_hash(source_text(kind, o))]


def embeddings_reconcile(*, provider: Provider | None = None, limit: int | None = None) -> dict[str, int]:
    """Catch up: analyse every submission (of members who allow it, not withdrawn)
    whose vector is missing or stale, and, when the provider's vectors serve search
    (cosine), embed challenges and proposals likewise. Returns counts per kind;
    ``failed`` counts the submissions the provider could not analyse (retried on the
    next run)."""
    from ai.selectors.search import searchable_challenges, searchable_proposals
    from challenges.models import Submission, SubmissionStatus

    provider = provider or get_provider()
    done = {"submissions": 0, "challenges": 0, "proposals": 0, "failed": 0}
    if settings.OGC_AI_SIMILARITY_ENABLED:
        from ai.models import MemberAIPreference

        opted_out = MemberAIPreference.objects.filter(analyse_submissions=False).values("user_id")
        queryset = Submission.objects.exclude(status=SubmissionStatus.WITHDRAWN).exclude(user_id__in=opted_out)
        for submission in _stale(SourceKind.SUBMISSION, list(queryset.order_by("submitted_at", "pk")), provider)[
            :limit
        ]:
            try:
                submission_analyse(submission_id=submission.pk, provider=provider)
            except ProviderError:
                done["failed"] += 1
                continue
            done["submissions"] += 1
    if settings.OGC_AI_SEARCH_ENABLED and provider.metric == VectorMetric.COSINE:
        for key, kind, queryset in (
            ("challenges", SourceKind.CHALLENGE, searchable_challenges()),
            ("proposals", SourceKind.PROPOSAL, searchable_proposals()),
        ):
            objects = list(queryset.order_by("pk"))
            for start in range(0, len(objects), BATCH):
                done[key] += embeddings_refresh(kind=kind, objects=objects[start : start + BATCH], provider=provider)
    return done
