"""DRF authentication classes that also tell the audit log who is acting."""

from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from core.audit import bind_actor


class AuditedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            bind_actor(result[0])
        return result


class AuditedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            bind_actor(result[0])
        return result
