"""The AI segment's tables: stored vectors (``ai_embeddings``), near-duplicate flags for
moderators (``ai_similarity_flags``), members' choices (``ai_member_preferences``) and
the paid assistant's requests (``ai_requests``).

MariaDB 10.11 has no VECTOR type: a vector is a BLOB of little-endian float32 (dense
embeddings, compared by cosine) or uint64 (MinHash signatures, compared by the share of
equal slots), with its model name and dimensions beside it (docs/ai.md).
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.amounts import ZERO, AmountField


class SourceKind(models.TextChoices):
    CHALLENGE = "challenge", _("Challenge")
    PROPOSAL = "proposal", _("Proposal")
    SUBMISSION = "submission", _("Submission")


class VectorMetric(models.TextChoices):
    COSINE = "cosine", "Cosine (float32)"
    MINHASH = "minhash", "MinHash (uint64 signature)"


class Embedding(models.Model):
    """One object's vector under one model. ``text_hash`` (SHA-256 of the text that was
    embedded) tells the reconcile job which rows are stale."""

    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    object_id = models.PositiveBigIntegerField()
    # Submissions only: the challenge, for "nearest in the same challenge" without a join.
    challenge_id = models.PositiveBigIntegerField(null=True, blank=True)
    provider = models.CharField(max_length=40)
    model_name = models.CharField(max_length=120)
    metric = models.CharField(max_length=10, choices=VectorMetric.choices)
    dimensions = models.PositiveIntegerField()
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ai_embeddings"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "model_name"], name="uniq_ai_embedding_object_model"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="ai_embedding_kind_valid"),
            models.CheckConstraint(condition=Q(metric__in=VectorMetric.values), name="ai_embedding_metric_valid"),
            models.CheckConstraint(condition=Q(dimensions__gt=0), name="ai_embedding_dimensions_positive"),
        ]
        indexes = [
            models.Index(fields=["model_name", "kind", "challenge_id"], name="idx_ai_embedding_scan"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} ({self.model_name})"


class FlagScope(models.TextChoices):
    CHALLENGE = "challenge", _("In the same challenge")
    PLATFORM = "platform", _("Elsewhere on the platform")


class FlagOutcome(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    FOLLOWED = "followed", _("Moderator rejected the flagged submission")
    OVERRULED = "overruled", _("Moderator accepted the flagged submission")


class SimilarityFlag(models.Model):
    """``submission`` reads like ``matched`` (an earlier submission) with ``score`` in
    [0, 1], by ``provider``/``model_version``. A suggestion for moderators: it never
    changes a status; ``outcome`` records what the moderator then decided."""

    submission = models.ForeignKey("challenges.Submission", on_delete=models.CASCADE, related_name="similarity_flags")
    matched = models.ForeignKey("challenges.Submission", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=4)
    scope = models.CharField(max_length=10, choices=FlagScope.choices)
    provider = models.CharField(max_length=40)
    model_version = models.CharField(max_length=120)
    outcome = models.CharField(max_length=10, choices=FlagOutcome.choices, default=FlagOutcome.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ai_similarity_flags"
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "matched", "model_version"], name="uniq_ai_flag_pair_model"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="ai_flag_score_0_1"),
            models.CheckConstraint(condition=~Q(submission=models.F("matched")), name="ai_flag_not_self"),
            models.CheckConstraint(condition=Q(scope__in=FlagScope.values), name="ai_flag_scope_valid"),
            models.CheckConstraint(condition=Q(outcome__in=FlagOutcome.values), name="ai_flag_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.submission_id} ~ #{self.matched_id} ({self.score})"

    @property
    def percent(self) -> int:
        return int((self.score * 100).to_integral_value())


class MemberAIPreference(models.Model):
    """A member's choice: ``analyse_submissions=False`` means their submissions are never
    embedded, compared or flagged (and what was stored is deleted when they opt out)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_preference")
    analyse_submissions = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ai_member_preferences"

    def __str__(self) -> str:
        return f"AI preferences of user #{self.user_id}"


class AIFeature(models.TextChoices):
    SUMMARY = "proposal_summary", _("Summary of a proposal and its discussion")
    FEEDBACK = "draft_feedback", _("Feedback on a draft against a challenge")


class RequestStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Working")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AIRequest(models.Model):
    """A member's paid assistant request (docs/ai.md, "The assistant").

    Created ``queued`` with its estimate; the estimate less the member's free credits
    is held from their wallet (``hold``: a pending ``service_hold`` ledger row). A
    worker runs it (``running``), then settles: ``done`` charges the actual cost
    (``charge``: a ``service_charge`` row; never more than the estimate) and returns
    the rest; ``failed`` releases the hold and charges nothing. ``draft`` (the
    member's text) is kept only until the request ends; ``prompt_hash`` stays."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ai_requests")
    feature = models.CharField(max_length=20, choices=AIFeature.choices)
    proposal = models.ForeignKey(
        "governance.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    challenge = models.ForeignKey(
        "challenges.Challenge", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draft = models.TextField(blank=True, help_text="The member's text; emptied when the request ends.")
    provider = models.CharField(max_length=40)
    model_name = models.CharField(max_length=120, blank=True, help_text="The model that answered.")
    prompt_hash = models.CharField(max_length=64, help_text="SHA-256 of the task and its inputs.")
    input_units = models.PositiveIntegerField(help_text="Estimated, then what the provider counted.")
    output_units = models.PositiveIntegerField(help_text="The most billed at the estimate, then what was used.")
    estimated_cost = AmountField()
    credit_used = AmountField(default=ZERO, help_text="Monthly free credits used (reserved, then actual).")
    held_amount = AmountField(default=ZERO)
    final_cost = AmountField(null=True, blank=True, help_text="OGC charged from the wallet.")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    hold = models.OneToOneField(
        "wallets.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    charge = models.OneToOneField(
        "wallets.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255)
    result = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "ai_requests"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="uniq_ai_request_user_key"),
            models.CheckConstraint(condition=Q(feature__in=AIFeature.values), name="ai_request_feature_valid"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="ai_request_status_valid"),
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0) & Q(credit_used__gte=0) & Q(held_amount__gte=0),
                name="ai_request_amounts_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(final_cost__isnull=True) | Q(final_cost__gte=0, final_cost__lte=models.F("estimated_cost")),
                name="ai_request_final_within_estimate",
            ),
            models.CheckConstraint(
                condition=Q(hold__isnull=True, held_amount=0) | Q(hold__isnull=False, held_amount__gt=0),
                name="ai_request_hold_iff_held",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="idx_ai_request_user_created"),
            models.Index(fields=["status", "created_at"], name="idx_ai_request_status"),
        ]

    def __str__(self) -> str:
        return f"AI request #{self.pk} ({self.feature}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.QUEUED, RequestStatus.RUNNING)


auditlog.register(SimilarityFlag)
auditlog.register(AIRequest, exclude_fields=["draft", "result"])
auditlog.register(MemberAIPreference, exclude_fields=["updated_at"])
