"""Serializer helpers shared by every app's API."""

from __future__ import annotations

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that refuses unknown fields with a field-level 400, so a
    client posting ``balance`` or ``is_staff`` learns it was not accepted instead of
    having it silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown or read-only field."] for name in unknown})
        return super().to_internal_value(data)
