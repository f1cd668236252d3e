"""Subscription API (DESIGN.md section 3): one class per operation, thin.

``POST /subscription/`` moves money (a paid start or an upgrade), so it honours the
Idempotency-Key header (``IdempotentPostMixin``) and the "money" throttle; the
ledger side is idempotent on its own (one payment per subscription period).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from core.exceptions import NotFoundError
from core.idempotency import IdempotentPostMixin, idempotency_key_parameter
from subscriptions import selectors, services
from subscriptions.api import serializers as s

TAGS = ["subscriptions"]
IDEMPOTENCY_PARAM = idempotency_key_parameter(required=False)


def _subscription_response(subscription, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.SubscriptionOutputSerializer(subscription).data, status=code)


class PlanListApi(APIView):
    """The plans on offer (public: a pricing page needs no account)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.PlanOutputSerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(s.PlanOutputSerializer(selectors.plan_list(), many=True).data)


class SubscriptionApi(IdempotentPostMixin, APIView):
    """GET: the user's subscription (404 ``no_subscription`` when none).
    POST: subscribe, or change plan (upgrade now, downgrade at the period end)."""

    idempotency_scope = "subscription.subscribe"
    throttle_scope = "money"

    def get_throttles(self):
        if self.request.method == "POST":
            return [UserRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(responses=s.SubscriptionOutputSerializer, tags=TAGS)
    def get(self, request: Request) -> Response:
        subscription = selectors.subscription_for_user(user=request.user)
        if subscription is None:
            raise NotFoundError(_("You have no subscription."), code="no_subscription")
        return _subscription_response(subscription)

    @extend_schema(
        request=s.SubscribeInputSerializer,
        responses={200: s.SubscribeOutputSerializer, 201: s.SubscribeOutputSerializer},
        parameters=[IDEMPOTENCY_PARAM],
        tags=TAGS,
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def idempotent_post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.SubscribeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.subscription_subscribe(
            user=request.user, plan_code=data.validated_data["plan"], auto_renew=data.validated_data["auto_renew"]
        )
        body = s.SubscriptionOutputSerializer(result.subscription).data
        body["action"] = result.action
        code = status.HTTP_201_CREATED if result.action == "started" else status.HTTP_200_OK
        return Response(body, status=code)


class SubscriptionCancelApi(APIView):
    """Cancel at the period end (default; access continues until then) or now."""

    @extend_schema(request=s.CancelInputSerializer, responses=s.SubscriptionOutputSerializer, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = s.CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_cancel(
            user=request.user, at_period_end=data.validated_data["at_period_end"]
        )
        return _subscription_response(subscription)


class SubscriptionReactivateApi(APIView):
    """Undo a cancel-at-period-end before the period ends."""

    @extend_schema(request=s.EmptyInputSerializer, responses=s.SubscriptionOutputSerializer, tags=TAGS)
    def post(self, request: Request) -> Response:
        s.EmptyInputSerializer(data=request.data).is_valid(raise_exception=True)
        return _subscription_response(services.subscription_reactivate(user=request.user))
