"""AI segment API: search (anyone), a member's analysis choice, flags for moderators."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ai import selectors, services
from ai.api.serializers import (
    MAX_LIMIT,
    AIPreferenceInputSerializer,
    AIPreferenceOutputSerializer,
    FlagFilterSerializer,
    FlagOutputSerializer,
    SearchOutputSerializer,
    SearchQuerySerializer,
)
from ai.models import FlagOutcome, SourceKind
from core.pagination import DefaultPagination
from core.permissions import IsModerator
from core.schema import NOT_BLANK_PATTERN

TAGS = ["ai"]


class SearchApi(APIView):
    """Search challenges, proposals and public submissions (drafts and other members'
    private submissions never appear)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": settings.OGC_AI_SEARCH_MAX_QUERY,
                    "pattern": NOT_BLANK_PATTERN,
                },
                required=True,
                description=f"What to search for: 1 to {settings.OGC_AI_SEARCH_MAX_QUERY} characters.",
            ),
            OpenApiParameter("kind", str, required=False, enum=list(SourceKind.values)),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, required=False, default=20
            ),
        ],
        responses=SearchOutputSerializer,
        tags=TAGS,
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        results = selectors.search(
            query=data["q"].strip(),
            user=request.user,
            kinds=[data["kind"]] if data.get("kind") else None,
            limit=data["limit"],
        )
        return Response(SearchOutputSerializer(results).data)


class PreferenceApi(APIView):
    """GET or PUT the signed-in member's choice: may their submissions be analysed
    for similarity (embedded and compared)?"""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AIPreferenceOutputSerializer, tags=TAGS)
    def get(self, request):
        allowed = selectors.analyse_submissions_allowed(user=request.user)
        return Response(AIPreferenceOutputSerializer({"analyse_submissions": allowed}).data)

    @extend_schema(request=AIPreferenceInputSerializer, responses=AIPreferenceOutputSerializer, tags=TAGS)
    def put(self, request):
        serializer = AIPreferenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.preference_set(user=request.user, **serializer.validated_data)
        return Response(AIPreferenceOutputSerializer(preference).data)


class FlagListApi(APIView):
    """Similarity flags, newest first (moderators); ``?outcome=`` filters."""

    permission_classes = [IsModerator]
    pagination_class = DefaultPagination

    @extend_schema(
        parameters=[OpenApiParameter("outcome", OpenApiTypes.STR, required=False, enum=list(FlagOutcome.values))],
        responses=FlagOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request):
        filters = FlagFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        queryset = selectors.flag_list().order_by("-created_at", "-pk")
        if filters.validated_data.get("outcome"):
            queryset = queryset.filter(outcome=filters.validated_data["outcome"])
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(FlagOutputSerializer(page, many=True).data)
