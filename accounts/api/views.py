"""Auth and profile API: signup, token obtain/revoke, named tokens, me."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    ApiTokenCreatedOutputSerializer,
    ApiTokenCreateInputSerializer,
    ApiTokenOutputSerializer,
    ProfileInputSerializer,
    SignupInputSerializer,
    SignupOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserOutputSerializer,
)
from accounts.models import TokenScope
from accounts.selectors import api_tokens_of, user_get_with_wallet
from accounts.services import api_token_create, api_token_revoke, user_profile_update, user_signup
from core.audit import bind_actor
from core.schema import STEP_UP_403
from core.stepup import StepUpError, verify_step_up

LOGIN_FAILED = "Unable to log in with these credentials."


class SignupApi(APIView):
    """Create an account (user + wallet) and return it with an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(request=SignupInputSerializer, responses={201: SignupOutputSerializer}, tags=["auth"])
    def post(self, request):
        serializer = SignupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = user_signup(email=data.pop("email"), password=data.pop("password"), **data)
        bind_actor(user)
        _token, secret = api_token_create(user=user, name=_("Sign-up token"), scope=TokenScope.READ_MONEY)
        user = user_get_with_wallet(user_id=user.pk)
        body = SignupOutputSerializer({"user": user, "token": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    """POST: exchange email + password (+ ``mfa_code`` when the account has a second
    factor) for a new API token that may move money. A wrong email or password is the
    same 401 whether the account exists or not. DELETE: revoke the token used on this
    request (the client must obtain a new one)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_authenticate_header(self, request):
        # POST has no authenticator, yet a refused login is a 401 (with this header), not DRF's 403.
        return "Token"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        email = data["email"].strip().lower()
        user = authenticate(request._request, username=email, password=data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed(LOGIN_FAILED)
        if is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]):
            try:
                verify_step_up(request=request._request, user=user, data={"mfa_code": data.get("mfa_code")})
            except StepUpError as refused:
                code = "mfa_required" if refused.code == "step_up_required" else "mfa_failed"
                body = {"code": code, "detail": refused.message, "fields": {"mfa_code": [refused.message]}}
                return Response(body, status=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Token"})
        token, secret = api_token_create(
            user=user, name=data.get("name") or _("API login"), scope=TokenScope.READ_MONEY
        )
        return Response({"token": secret, "expires_at": token.expiry})

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request):
        if request.auth is not None and hasattr(request.auth, "public_id"):
            api_token_revoke(user=request.user, public_id=request.auth.public_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenListCreateApi(APIView):
    """GET: the member's API tokens (never their secrets). POST: a new named token,
    ``read`` or ``read+money``, expiring in ``days`` (default 90); the answer holds the
    secret, shown this once. Creating a token is a sensitive action: the body carries
    ``password`` (or ``mfa_code`` when the account has a second factor)."""

    pagination_class = None

    @extend_schema(responses={200: ApiTokenOutputSerializer(many=True)}, tags=["auth"])
    def get(self, request):
        return Response(ApiTokenOutputSerializer(api_tokens_of(user=request.user), many=True).data)

    @extend_schema(
        request=ApiTokenCreateInputSerializer,
        responses={
            201: ApiTokenCreatedOutputSerializer,
            403: STEP_UP_403,
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = ApiTokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        verify_step_up(request=request._request, user=request.user, data=data)
        token, secret = api_token_create(
            user=request.user, name=data["name"], scope=data["scope"], days=data.get("days")
        )
        token.token = secret
        return Response(ApiTokenCreatedOutputSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(APIView):
    """DELETE: revoke one of the member's tokens."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request, token_id):
        api_token_revoke(user=request.user, public_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in user's profile and wallet summary. Only profile fields are
    writable; email changes go through the account pages, never here."""

    @extend_schema(responses=UserOutputSerializer, tags=["auth"])
    def get(self, request):
        return Response(UserOutputSerializer(user_get_with_wallet(user_id=request.user.pk)).data)

    @extend_schema(request=ProfileInputSerializer, responses=UserOutputSerializer, tags=["auth"])
    def patch(self, request):
        serializer = ProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user_profile_update(user=request.user, data=serializer.validated_data)
        return Response(UserOutputSerializer(user_get_with_wallet(user_id=request.user.pk)).data)
