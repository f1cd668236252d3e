"""The paid assistant's API: estimate, create (Idempotency-Key required), list, detail.
Every lookup is the signed-in member's own: another member's request is a 404."""

from __future__ import annotations

import hashlib
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from ai import selectors, services
from ai.api.serializers import AIRequestOutputSerializer, AssistantInputSerializer, EstimateOutputSerializer
from core.idempotency import IdempotentPostMixin, idempotency_key_parameter, request_key
from core.pagination import DefaultPagination

TAGS = ["ai"]


def _validated(request: Request) -> dict[str, Any]:
    data = AssistantInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _ledger_key(request: Request) -> str:
    key = request_key(request) or ""  # required and validated by then (core.idempotency)
    if len(key) > 250:
        key = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    return f"api:{key}"


class EstimateApi(APIView):
    """What a request would cost now: the estimate, the free credits it would use and
    what would be held. Nothing is held or written."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AssistantInputSerializer, responses=EstimateOutputSerializer, tags=TAGS)
    def post(self, request: Request) -> Response:
        estimate = selectors.request_estimate(user=request.user, **_validated(request))
        return Response(EstimateOutputSerializer(estimate).data)


class RequestListCreateApi(IdempotentPostMixin, APIView):
    """GET: the member's requests, newest first. POST: ask the assistant (the estimate
    less free credits is held; the answer comes from a worker; Idempotency-Key required)."""

    permission_classes = [IsAuthenticated]
    pagination_class = DefaultPagination
    throttle_scope = "money"
    idempotency_scope = "ai.request"
    idempotency_required = True

    def get_throttles(self):
        if self.request.method == "POST":
            return [UserRateThrottle(), ScopedRateThrottle()]
        return [UserRateThrottle()]

    @extend_schema(responses=AIRequestOutputSerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.request_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(AIRequestOutputSerializer(page, many=True).data)

    @extend_schema(
        request=AssistantInputSerializer,
        responses={201: AIRequestOutputSerializer},
        parameters=[idempotency_key_parameter(required=True)],
        tags=TAGS,
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def idempotent_post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(request)
        created = services.request_create(user=request.user, idempotency_key=_ledger_key(request), **data)
        return Response(AIRequestOutputSerializer(created).data, status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AIRequestOutputSerializer, tags=TAGS)
    def get(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_user(user=request.user, request_id=request_id)
        return Response(AIRequestOutputSerializer(found).data)
