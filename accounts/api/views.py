"""Auth and profile API: signup, token obtain/revoke, me."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    ProfileInputSerializer,
    SignupInputSerializer,
    SignupOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserOutputSerializer,
)
from accounts.selectors import user_get_with_wallet
from accounts.services import user_profile_update, user_signup
from core.audit import bind_actor


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
        token, _ = Token.objects.get_or_create(user=user)
        user = user_get_with_wallet(user_id=user.pk)
        body = SignupOutputSerializer({"user": user, "token": token.key}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    """POST: exchange email + password for an API token. DELETE: revoke the token
    used on this request (the client must obtain a new one)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()
        user = authenticate(request._request, username=email, password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed("Unable to log in with these credentials.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
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
