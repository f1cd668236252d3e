"""Notifications API: the caller's own inbox and preferences only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import DefaultPagination
from notifications.api.serializers import (
    MarkAllReadOutputSerializer,
    NotificationFilterSerializer,
    NotificationOutputSerializer,
    PreferenceOutputSerializer,
    PreferencesInputSerializer,
    UnreadCountOutputSerializer,
)
from notifications.kinds import NotificationKind
from notifications.selectors import notification_list, preference_matrix, unread_count
from notifications.services import notification_mark_all_read, notification_mark_read, preferences_update

TAGS = ["notifications"]


class NotificationListApi(ListAPIView):
    """My notifications, newest first; ``?unread=true`` and ``?kind=`` filter."""

    serializer_class = NotificationOutputSerializer
    pagination_class = DefaultPagination
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, required=False),
            OpenApiParameter("kind", str, required=False, enum=NotificationKind.values),
        ],
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = NotificationFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        return notification_list(
            user=self.request.user, unread=filters.validated_data.get("unread"), kind=filters.validated_data.get("kind")
        )


class NotificationUnreadCountApi(APIView):
    @extend_schema(responses=UnreadCountOutputSerializer, tags=TAGS)
    def get(self, request):
        return Response({"unread": unread_count(user=request.user)})


class NotificationMarkReadApi(APIView):
    """Mark one of my notifications read (another user's id is a 404)."""

    @extend_schema(request=None, responses=NotificationOutputSerializer, tags=TAGS)
    def post(self, request, pk: int):
        notification = notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationMarkAllReadApi(APIView):
    @extend_schema(request=None, responses=MarkAllReadOutputSerializer, tags=TAGS)
    def post(self, request):
        return Response({"marked": notification_mark_all_read(user=request.user)})


class NotificationPreferencesApi(APIView):
    """GET: every (kind, channel) with its state. PUT: change some of them."""

    @extend_schema(responses=PreferenceOutputSerializer(many=True), tags=TAGS)
    def get(self, request):
        return Response(PreferenceOutputSerializer(preference_matrix(user=request.user), many=True).data)

    @extend_schema(request=PreferencesInputSerializer, responses=PreferenceOutputSerializer(many=True), tags=TAGS)
    def put(self, request):
        serializer = PreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preferences_update(
            user=request.user,
            changes=[
                (item["kind"], item["channel"], item["enabled"]) for item in serializer.validated_data["preferences"]
            ],
        )
        return Response(PreferenceOutputSerializer(preference_matrix(user=request.user), many=True).data)
