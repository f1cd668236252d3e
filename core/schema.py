"""OpenAPI (drf-spectacular) extensions for our authentication classes."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class AuditedSessionScheme(SessionScheme):
    target_class = "core.authentication.AuditedSessionAuthentication"
    name = "sessionAuth"


class AuditedTokenScheme(TokenScheme):
    target_class = "core.authentication.AuditedTokenAuthentication"
    name = "tokenAuth"


# --- Error responses on every operation -------------------------------------------------
# Every API error has one body (core.exceptions.api_exception_handler). The schema says so
# for every operation, so that clients (and the schema fuzzer, tests/test_fuzz_schema.py)
# know every status the API can answer: validation (400), authentication (401), role or
# ownership (403), unknown ids (404), state conflicts (409), idempotency mismatches (422)
# and throttles or lockouts (429, with Retry-After).

from drf_spectacular.openapi import AutoSchema  # noqa: E402
from drf_spectacular.utils import inline_serializer  # noqa: E402
from rest_framework import serializers  # noqa: E402

ERROR_STATUSES: dict[str, str] = {
    "400": "Invalid input; `fields` names each refused field.",
    "401": "Authentication credentials were missing or wrong.",
    "403": "The authenticated user may not do this (role or ownership).",
    "404": "Not found (also another user's object).",
    "405": "Method not allowed.",
    "409": "The object is not in a state that allows this (or a replay is still running).",
    "422": "The Idempotency-Key was used before with another payload.",
    "429": "Too many requests or too many failed logins; retry after `Retry-After` seconds.",
}

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(help_text="Stable machine-readable error code."),
        "detail": serializers.CharField(help_text="Human-readable message."),
        "fields": serializers.DictField(
            child=serializers.JSONField(),
            help_text="Per-field messages: a list of strings, or a nested object for nested inputs.",
        ),
    },
)


class ErrorResponsesAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the shared error responses on every operation.

    A view's own ``extend_schema(responses=...)`` wins for any status it declares."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_STATUSES.items():
            if code in responses:
                continue
            body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            body["description"] = description
            if code == "429":
                body["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer", "minimum": 0},
                        "description": "Seconds to wait before trying again.",
                    }
                }
            responses[code] = body
        return responses
