"""Serializers of the AI segment's API."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ai.models import FlagOutcome, SimilarityFlag, SourceKind
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
