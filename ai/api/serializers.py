"""Serializers of the AI segment's API."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ai.models import AIFeature, AIRequest, FlagOutcome, SimilarityFlag, SourceKind
from core.amounts import AmountSerializerField
from core.serializers import ListFilterSerializer, StrictInputSerializer

MAX_LIMIT = 50


class SearchQuerySerializer(StrictInputSerializer):
    """``?q=`` (1 to ``OGC_AI_SEARCH_MAX_QUERY`` characters once trimmed), ``kind``, ``limit``."""

    q = serializers.CharField(
        max_length=settings.OGC_AI_SEARCH_MAX_QUERY,
        error_messages={
            "blank": _("Type what to search for (1 to %(max)d characters).")
            % {"max": settings.OGC_AI_SEARCH_MAX_QUERY},
            "required": _("Type what to search for (1 to %(max)d characters).")
            % {"max": settings.OGC_AI_SEARCH_MAX_QUERY},
        },
    )
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False, default=20)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the object on this site.")
    excerpt = serializers.CharField(allow_blank=True)
    score = serializers.FloatField(help_text="Fused rank score: higher is better; compare within one answer only.")


class SearchOutputSerializer(serializers.Serializer):
    query = serializers.CharField()
    mode = serializers.ChoiceField(
        choices=[("lexical", "Words only"), ("hybrid", "Words and meaning")],
        help_text="hybrid when vectors of a semantic provider took part in the ranking.",
    )
    results = SearchHitSerializer(many=True, source="hits")


class AIPreferenceInputSerializer(StrictInputSerializer):
    analyse_submissions = serializers.BooleanField()


class AIPreferenceOutputSerializer(serializers.Serializer):
    analyse_submissions = serializers.BooleanField()


class FlagFilterSerializer(ListFilterSerializer):
    outcome = serializers.ChoiceField(choices=FlagOutcome.choices, required=False)


class FlagOutputSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="submission_id")
    matched = serializers.IntegerField(source="matched_id")
    score = serializers.DecimalField(max_digits=5, decimal_places=4, coerce_to_string=True)
    percent = serializers.IntegerField()
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)

    class Meta:
        model = SimilarityFlag
        fields = [
            "id",
            "submission",
            "matched",
            "score",
            "percent",
            "scope",
            "provider",
            "model_version",
            "outcome",
            "decided_by",
            "decided_at",
            "created_at",
        ]


# --- the paid assistant ------------------------------------------------------------

BIGINT_MAX = 2**63 - 1


def _draft_message() -> str:
    return _("Write your draft first: 1 to %(max)d characters.") % {"max": settings.OGC_AI_MAX_INPUT_CHARS}


class AssistantInputSerializer(StrictInputSerializer):
    """``proposal_summary`` names ``proposal_id``; ``draft_feedback`` names ``challenge``
    and ``draft``. A field the feature needs but is missing, or one it does not use,
    is a 422 (the schema cannot say "required when"); a blank or oversized draft a 400."""

    feature = serializers.ChoiceField(choices=AIFeature.choices)
    proposal_id = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, required=False, help_text="proposal_summary: the proposal."
    )
    challenge = serializers.SlugField(max_length=80, required=False, help_text="draft_feedback: the challenge's slug.")
    draft = serializers.CharField(
        max_length=settings.OGC_AI_MAX_INPUT_CHARS,
        required=False,
        help_text=f"draft_feedback: your draft, 1 to {settings.OGC_AI_MAX_INPUT_CHARS} characters.",
        error_messages={"blank": _draft_message(), "max_length": _draft_message()},
    )


class EstimateOutputSerializer(serializers.Serializer):
    feature = serializers.ChoiceField(choices=AIFeature.choices)
    provider = serializers.CharField()
    input_units = serializers.IntegerField(help_text="Words (local algorithms) or tokens (HTTP model) read.")
    output_units = serializers.IntegerField(help_text="The most output billed by the estimate.")
    estimated_cost = AmountSerializerField(allow_zero=True, help_text="The most the request costs, in OGC.")
    free_credit = AmountSerializerField(allow_zero=True, help_text="Paid from this month's free credits.")
    to_hold = AmountSerializerField(allow_zero=True, help_text="Held from the wallet until the answer.")
    free_credits_left = AmountSerializerField(allow_zero=True)


class AIRequestOutputSerializer(serializers.ModelSerializer):
    proposal_id = serializers.IntegerField(allow_null=True)
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    model = serializers.CharField(source="model_name", help_text="The model that answered (empty until then).")
    estimated_cost = AmountSerializerField(allow_zero=True)
    credit_used = AmountSerializerField(allow_zero=True)
    held_amount = AmountSerializerField(allow_zero=True)
    final_cost = AmountSerializerField(allow_zero=True, allow_null=True, help_text="OGC charged; null until the end.")
    hold_transaction_id = serializers.IntegerField(source="hold_id", allow_null=True)
    charge_transaction_id = serializers.IntegerField(source="charge_id", allow_null=True)

    class Meta:
        model = AIRequest
        fields = [
            "id",
            "feature",
            "status",
            "proposal_id",
            "challenge",
            "provider",
            "model",
            "prompt_hash",
            "input_units",
            "output_units",
            "estimated_cost",
            "credit_used",
            "held_amount",
            "final_cost",
            "hold_transaction_id",
            "charge_transaction_id",
            "result",
            "error_code",
            "error",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
