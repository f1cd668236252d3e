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
# and throttles or lockouts (429, with Retry-After). Operations that read a body also
# document 413 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE).

from drf_spectacular.openapi import AutoSchema  # noqa: E402
from drf_spectacular.utils import OpenApiResponse, inline_serializer  # noqa: E402
from rest_framework import serializers  # noqa: E402

from core.idempotency import IdempotentPostMixin  # noqa: E402

ERROR_STATUSES: dict[str, str] = {
    "400": "Invalid input; `fields` names each refused field.",
    "401": "Authentication credentials were missing or wrong.",
    "403": "The authenticated user may not do this (role or ownership).",
    "404": "Not found (also another user's object).",
    "405": "Method not allowed.",
    "409": "The object is not in a state that allows this (or a replay is still running).",
    "422": (
        "The request matches the schema but cannot be processed: values the schema cannot "
        "check (an address checksum, an end before the start, a choice not on the proposal, "
        "a weak password), or an Idempotency-Key used before with another payload."
    ),
    "429": "Too many requests or too many failed logins; retry after `Retry-After` seconds.",
}

#: Refusals about the state of things or the meaning of input: only operations that
#: change something can answer them (a GET that fails its filters is a 400 or a 404).
WRITE_ONLY_STATUSES = frozenset({"409", "422"})

#: Documented only on operations that read a request body (see ``get_operation``).
BODY_ERROR_STATUSES: dict[str, str] = {
    "413": "The request body is larger than the server accepts (`DATA_UPLOAD_MAX_MEMORY_SIZE`); "
    "`detail` names the limit.",
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

#: The 403 of an operation that asks for step-up (core.stepup).
STEP_UP_403 = OpenApiResponse(
    response=ErrorSerializer,
    description="Step-up refused (`fields` names `password` or `mfa_code`): `step_up_required` (missing), "
    "`step_up_failed` (wrong, or a code already used), `mfa_required` (a withdrawal above the "
    "two-step threshold by an account without a second factor); or the role or token scope refuses.",
)

#: Text without NUL characters (what DRF's ``CharField`` accepts).
NO_NUL_PATTERN = r"^[^\u0000]*$"
#: What Python's ``str.strip()`` removes (``str.isspace()``), spelled out: DRF trims
#: text before checking it is not blank, and regex engines disagree on ``\s``.
PY_WHITESPACE = r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Text without NUL that is not blank once trimmed (a required, non-blank ``CharField``).
NOT_BLANK_PATTERN = rf"^[^\u0000]*[^\u0000{PY_WHITESPACE}][^\u0000]*$"


class ErrorResponsesAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the shared error responses on every operation,
    and request bodies described as strictly as the server reads them:

    - a ``StrictInputSerializer`` body refuses unknown fields, so its request component
      says ``additionalProperties: false``;
    - a positive amount (``AmountSerializerField`` without ``allow_zero``) is
      ``AMOUNT_PATTERN`` and not zero (``ZERO_AMOUNT_PATTERN``), exactly what
      ``core.amounts.parse_amount`` accepts.

    A view's own ``extend_schema(responses=...)`` wins for any status it declares."""

    def _map_basic_serializer(self, serializer, direction):
        from core.serializers import StrictInputSerializer

        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInputSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        from core.amounts import ZERO_AMOUNT_PATTERN, AmountSerializerField

        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or schema is None:
            return schema
        if isinstance(field, AmountSerializerField) and not field.allow_zero:
            schema = {**schema, "not": {"pattern": ZERO_AMOUNT_PATTERN}}
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema["minItems"] = max(1, schema.get("minItems", 0))
        if (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and schema.get("type") == "string"
            and not {"pattern", "enum", "format"} & schema.keys()
        ):
            # DRF refuses NUL in text (ProhibitNullCharactersValidator), and blank text once
            # trimmed unless the field allows blank: so does the schema.
            trims_to_blank = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_PATTERN if trims_to_blank else NO_NUL_PATTERN

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not self._reads_body(operation):
            return operation
        responses = operation["responses"]
        for code, description in BODY_ERROR_STATUSES.items():
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction="response")
                body["description"] = description
                responses[code] = body
        operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
        return operation

    def _reads_body(self, operation) -> bool:
        """A body is read when the operation documents one, or when it takes an
        Idempotency-Key: the key's fingerprint hashes the body of any POST."""
        return "requestBody" in operation or (self.method == "POST" and isinstance(self.view, IdempotentPostMixin))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_STATUSES.items():
            if code in responses or (code in WRITE_ONLY_STATUSES and self.method in ("GET", "HEAD")):
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
