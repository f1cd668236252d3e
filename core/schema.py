"""OpenAPI (drf-spectacular) extensions for our authentication classes."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class AuditedSessionScheme(SessionScheme):
    target_class = "core.authentication.AuditedSessionAuthentication"
    name = "sessionAuth"


class AuditedTokenScheme(TokenScheme):
    target_class = "core.authentication.AuditedTokenAuthentication"
    name = "tokenAuth"
