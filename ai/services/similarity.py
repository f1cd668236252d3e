"""Similar-submission detection for moderators.

After a submission commits (``on_submission_event`` -> ``transaction.on_commit`` ->
the ``ai_submission_analyse`` actor; ``manage.py ai_reconcile`` catches up a lost
message) ``submission_analyse`` embeds it with the configured provider, compares it
with every other stored submission of the same model (brute force, numpy), and
records a ``SimilarityFlag`` against each earlier submission scoring at or above the
threshold: the nearest few in the same challenge and the nearest few elsewhere. A flag
never changes a status; when a moderator reviews the flagged submission,
``flags_record_decision`` records on each flag (and in the audit log) whether the
moderator followed the suggestion (rejected) or overruled it (accepted).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ai.models import Embedding, FlagOutcome, FlagScope, MemberAIPreference, SimilarityFlag, SourceKind, VectorMetric
from ai.providers import Provider, get_provider
from ai.services.embeddings import embedding_store, source_text, text_hash
from ai.vectors import scores, top_k, unpack
from core.audit import AuditAction, audit_record

if TYPE_CHECKING:
    from challenges.models import Submission

#: Measured on the labelled set of ai/tests/test_similarity_quality.py (docs/ai.md).
DEFAULT_THRESHOLDS = {VectorMetric.MINHASH: 0.40, VectorMetric.COSINE: 0.90}


def similarity_threshold(provider: Provider) -> float:
    configured = settings.OGC_AI_SIMILARITY_THRESHOLD
    return float(configured) if configured is not None else DEFAULT_THRESHOLDS[VectorMetric(provider.metric)]


def member_allows_analysis(user_id: int) -> bool:
    return not MemberAIPreference.objects.filter(user_id=user_id, analyse_submissions=False).exists()


def _score(value: float) -> Decimal:
    clipped = min(1.0, max(0.0, float(value)))
    return Decimal(str(clipped)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def submission_analyse(*, submission_id: int, provider: Provider | None = None) -> list[SimilarityFlag]:
    """Embed one submission and flag it against the nearest earlier submissions.
    Idempotent: a second run refreshes the same flags. Returns the flags it holds now."""
    from challenges.models import Submission, SubmissionStatus

    if not settings.OGC_AI_SIMILARITY_ENABLED:
        return []
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.status == SubmissionStatus.WITHDRAWN:
        return []
    if not member_allows_analysis(submission.user_id):
        return []
    provider = provider or get_provider()
    text = source_text(SourceKind.SUBMISSION, submission)
    stored = Embedding.objects.filter(
        kind=SourceKind.SUBMISSION, object_id=submission.pk, model_name=provider.model_name
    ).first()
    if stored is not None and stored.text_hash == text_hash(text):
        vector = unpack(stored.vector, stored.metric, stored.dimensions)
    else:
        vector = provider.embed([text])[0]  # outside any transaction: a model call may be slow
    candidates = list(
        Embedding.objects.filter(kind=SourceKind.SUBMISSION, model_name=provider.model_name)
        .exclude(object_id=submission.pk)
        .values_list("object_id", "challenge_id", "vector", "metric", "dimensions")
    )
    earlier = set(
        Submission.objects.filter(pk__in=[row[0] for row in candidates], submitted_at__lte=submission.submitted_at)
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .values_list("pk", flat=True)
    )
    candidates = [row for row in candidates if row[0] in earlier and row[0] != submission.pk]
    found: list[tuple[int, str, float]] = []
    if candidates:
        matrix = np.vstack([unpack(row[2], row[3], row[4]) for row in candidates])
        values = scores(vector, matrix, provider.metric)
        threshold = similarity_threshold(provider)
        for scope, in_scope in (
            (FlagScope.CHALLENGE, lambda row: row[1] == submission.challenge_id),
            (FlagScope.PLATFORM, lambda row: row[1] != submission.challenge_id),
        ):
            mask = np.array([in_scope(row) for row in candidates])
            scoped = np.where(mask, values, -np.inf)
            for index in top_k(scoped, settings.OGC_AI_SIMILARITY_MAX_FLAGS):
                if scoped[index] >= threshold:
                    found.append((candidates[index][0], scope, float(scoped[index])))
    return _store(submission=submission, provider=provider, text=text, vector=vector, found=found)


@transaction.atomic
def _store(
    *, submission: Submission, provider: Provider, text: str, vector: np.ndarray, found: list[tuple[int, str, float]]
) -> list[SimilarityFlag]:
    if not member_allows_analysis(submission.user_id):  # opted out while the model ran
        return []
    embedding_store(
        kind=SourceKind.SUBMISSION,
        object_id=submission.pk,
        provider=provider,
        text=text,
        vector=vector,
        challenge_id=submission.challenge_id,
    )
    flags = []
    for matched_id, scope, value in found:
        flag, created = SimilarityFlag.objects.get_or_create(
            submission_id=submission.pk,
            matched_id=matched_id,
            model_version=provider.model_name,
            defaults={"score": _score(value), "scope": scope, "provider": provider.name},
        )
        if not created and flag.score != _score(value):
            flag.score = _score(value)
            flag.save(update_fields=["score"])
        flags.append(flag)
    return flags


def flags_record_decision(*, submission: Submission) -> list[SimilarityFlag]:
    """Called inside the review's transaction: each flag of the reviewed submission
    records whether the moderator followed the suggestion (rejected the submission)
    or overruled it (accepted it), with a named audit entry."""
    from challenges.models import SubmissionStatus

    flags = list(SimilarityFlag.objects.filter(submission_id=submission.pk).order_by("pk"))
    followed = submission.status == SubmissionStatus.REJECTED
    for flag in flags:
        flag.outcome = FlagOutcome.FOLLOWED if followed else FlagOutcome.OVERRULED
        flag.decided_by = submission.reviewer
        flag.decided_at = timezone.now()
        flag.save(update_fields=["outcome", "decided_by", "decided_at"])
        audit_record(
            action=AuditAction.AI_FLAG_OUTCOME,
            instance=flag,
            actor=submission.reviewer,
            data={
                "followed": followed,
                "decision": submission.status,
                "submission": submission.pk,
                "matched": flag.matched_id,
                "score": flag.score,
                "provider": flag.provider,
                "model_version": flag.model_version,
            },
        )
    return flags
