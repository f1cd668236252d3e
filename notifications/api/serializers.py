"""Serializers of the notifications API."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import ListFilterSerializer, StrictInputSerializer
from notifications.kinds import Channel, NotificationKind
from notifications.models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "title", "body", "data", "created_at", "read_at", "is_read")
        read_only_fields = fields


class NotificationFilterSerializer(ListFilterSerializer):
    unread = serializers.BooleanField(required=False)
    kind = serializers.ChoiceField(choices=NotificationKind.choices, required=False)


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    channel = serializers.CharField()
    enabled = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="True when this channel cannot be turned off for this kind.")


class PreferenceItemSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class PreferencesInputSerializer(StrictInputSerializer):
    preferences = PreferenceItemSerializer(many=True, allow_empty=False)
