"""Challenges and badges API: one class per operation, each calling one service or selector."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from challenges import selectors, services
from challenges.api import serializers as s
from core.exceptions import NotFoundError
from core.idempotency import IdempotentPostMixin, idempotency_key_parameter
from core.pagination import DefaultPagination, WindowCountPagination
from core.permissions import IsModerator, IsOperator
from core.schema import NOT_BLANK_PATTERN

TAGS = ["challenges"]
BADGE_TAGS = ["badges"]


def client_ip(request) -> str | None:
    """The peer address as the WSGI server saw it. Behind a proxy, configure the
    proxy to set REMOTE_ADDR (we never trust a client-supplied X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR") or None


def paginated(request, view, queryset, serializer_class, *, decorate=None):
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    if decorate is not None:
        decorate(page, paginator.page.start_index())
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


#: A free-text filter value: 1 to 40 characters, not blank once trimmed, no NUL.
FILTER_TEXT = {"type": "string", "minLength": 1, "maxLength": 40, "pattern": NOT_BLANK_PATTERN}


def submission_serializer_for(user):
    return s.SubmissionStaffOutputSerializer if selectors.is_challenge_staff(user) else s.SubmissionOutputSerializer


class ChallengeListApi(APIView):
    """GET: visible challenges (filters: status = phase, category, tag, open). POST: create (operators)."""

    # GET pages are one query (the count rides along) of the serializer's columns,
    # rendered by ``challenge_items``; the serializer documents them (docs/performance.md).
    pagination_class = WindowCountPagination

    def get_permissions(self):
        return [IsOperator()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[c[0] for c in s.ChallengePhase.choices], required=False),
            OpenApiParameter("category", FILTER_TEXT, required=False),
            OpenApiParameter("tag", FILTER_TEXT, required=False),
            OpenApiParameter("open", bool, required=False, description="Only challenges open right now."),
        ],
        responses=s.ChallengeOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request):
        filters = s.ChallengeFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        now = timezone.now()
        queryset = selectors.challenge_list(
            user=request.user,
            phase=data.get("status"),
            category=data.get("category"),
            tag=data.get("tag"),
            open_now=data.get("open"),
            now=now,
        )
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset.values(*s.CHALLENGE_COLUMNS), request, view=self)
        return paginator.get_paginated_response(s.challenge_items(rows, now=now))

    @extend_schema(request=s.ChallengeCreateInputSerializer, responses={201: s.ChallengeOutputSerializer}, tags=TAGS)
    def post(self, request):
        serializer = s.ChallengeCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = services.challenge_create(created_by=request.user, **serializer.validated_data)
        return Response(s.ChallengeOutputSerializer(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.ChallengeOutputSerializer, tags=TAGS)
    def get(self, request, slug: str):
        return Response(s.ChallengeOutputSerializer(selectors.challenge_get(slug=slug, user=request.user)).data)


class ChallengeCloseApi(APIView):
    """Close a scheduled challenge now (operators), also before its deadline."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=s.ChallengeOutputSerializer, tags=TAGS)
    def post(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        challenge = services.challenge_close(challenge_id=challenge.pk, actor=request.user)
        return Response(s.ChallengeOutputSerializer(challenge).data)


class ChallengeJudgeApi(APIView):
    """Rank the accepted submissions (operators); returns the leaderboard."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=s.LeaderboardEntrySerializer(many=True), tags=TAGS)
    def post(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        ranking = services.challenge_judge(challenge_id=challenge.pk, actor=request.user)
        return Response(s.LeaderboardEntrySerializer(ranking, many=True).data)


class SubmissionListApi(APIView):
    """GET: my submissions (moderators: all of them; ``?status=submitted`` is the
    review queue). POST: submit (pays the entry fee at the first submission)."""

    pagination_class = DefaultPagination  # for the schema: paginated() pages GET responses

    permission_classes = [IsAuthenticated]
    throttle_scope = "money"  # POST only: a first submission pays the entry fee

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(ScopedRateThrottle())
        return throttles

    @extend_schema(
        parameters=[OpenApiParameter("status", str, required=False, enum=s.SubmissionStatus.values)],
        responses=s.SubmissionOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        filters = s.SubmissionFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        queryset = selectors.submission_list(
            challenge=challenge, user=request.user, status=filters.validated_data.get("status")
        )
        return paginated(request, self, queryset, submission_serializer_for(request.user))

    @extend_schema(request=s.SubmissionCreateInputSerializer, responses={201: s.SubmissionOutputSerializer}, tags=TAGS)
    def post(self, request, slug: str):
        # A draft is reachable here so that the refusal is a clear 400, not a 404.
        challenge = selectors.challenge_get(slug=slug, user=request.user, include_drafts=True)
        serializer = s.SubmissionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_create(
            user=request.user, challenge_id=challenge.pk, ip_address=client_ip(request), **serializer.validated_data
        )
        return Response(s.SubmissionOutputSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(APIView):
    """GET: one of my submissions (moderators: any). PATCH: edit mine while it awaits review."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.SubmissionOutputSerializer, tags=TAGS)
    def get(self, request, slug: str, pk: int):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        submission = selectors.submission_get(challenge=challenge, submission_id=pk, user=request.user)
        return Response(submission_serializer_for(request.user)(submission).data)

    @extend_schema(request=s.SubmissionUpdateInputSerializer, responses=s.SubmissionOutputSerializer, tags=TAGS)
    def patch(self, request, slug: str, pk: int):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        serializer = s.SubmissionUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        submission = services.submission_update(
            user=request.user, submission_id=pk, challenge_id=challenge.pk, **serializer.validated_data
        )
        return Response(s.SubmissionOutputSerializer(submission).data)


class SubmissionWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=s.SubmissionOutputSerializer, tags=TAGS)
    def post(self, request, slug: str, pk: int):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        submission = services.submission_withdraw(user=request.user, submission_id=pk, challenge_id=challenge.pk)
        return Response(s.SubmissionOutputSerializer(submission).data)


class SubmissionReviewApi(APIView):
    """Accept (with a score) or reject a submission (moderators and operators)."""

    permission_classes = [IsModerator]

    @extend_schema(request=s.ReviewInputSerializer, responses=s.SubmissionStaffOutputSerializer, tags=TAGS)
    def post(self, request, slug: str, pk: int):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        serializer = s.ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = services.submission_review(
            reviewer=request.user,
            submission_id=pk,
            challenge_id=challenge.pk,
            decision=data["status"],
            score=data.get("score"),
            note=data["review_note"],
        )
        return Response(s.SubmissionStaffOutputSerializer(submission).data)


class LeaderboardApi(APIView):
    """The ranking: stored ranks once judged, the live order (score, then earliest) before."""

    pagination_class = DefaultPagination  # for the schema: paginated() pages GET responses

    permission_classes = [AllowAny]

    @extend_schema(responses=s.LeaderboardEntrySerializer(many=True), tags=TAGS)
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)

        def number(page, start):
            for offset, submission in enumerate(page):
                submission.rank = submission.rank or start + offset

        return paginated(
            request, self, selectors.leaderboard(challenge=challenge), s.LeaderboardEntrySerializer, decorate=number
        )


class RewardsAwardApi(IdempotentPostMixin, APIView):
    """Pay the prizes of a judged challenge through the ledger (operators). Money-moving:
    send an ``Idempotency-Key``; a repeated call pays nothing twice either way."""

    permission_classes = [IsOperator]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "money"
    idempotency_scope = "challenges.rewards"

    @extend_schema(
        request=s.RewardsInputSerializer,
        responses={
            201: OpenApiResponse(s.RewardOutputSerializer(many=True), description="The rewards paid by this call."),
            200: OpenApiResponse(
                s.RewardOutputSerializer(many=True),
                description="Nothing new to pay: every listed submission was already rewarded (an empty list).",
            ),
        },
        parameters=[idempotency_key_parameter(required=False)],
        tags=TAGS,
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def idempotent_post(self, request, slug: str) -> Response:
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        serializer = s.RewardsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rewards = services.rewards_award(
            challenge_id=challenge.pk, actor=request.user, submission_ids=serializer.validated_data["submission_ids"]
        )
        return Response(
            s.RewardOutputSerializer(rewards, many=True).data,
            status=status.HTTP_201_CREATED if rewards else status.HTTP_200_OK,
        )


# --- badges ----------------------------------------------------------------------------------


class BadgeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.BadgeOutputSerializer(many=True), tags=BADGE_TAGS)
    def get(self, request):
        return Response(s.BadgeOutputSerializer(selectors.badge_catalog(), many=True).data)


class MyBadgesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.UserBadgeOutputSerializer(many=True), tags=BADGE_TAGS)
    def get(self, request):
        return Response(s.UserBadgeOutputSerializer(selectors.user_badges(user_id=request.user.pk), many=True).data)


class UserBadgesApi(APIView):
    """A user's badges, public (the profile page shows the same)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=s.UserBadgeOutputSerializer(many=True), tags=BADGE_TAGS)
    def get(self, request, pk: int):
        user = selectors.public_profile(user_id=pk)
        return Response(s.UserBadgeOutputSerializer(user.shown_badges, many=True).data)


def _target_user(user_id: int):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("User not found."), code="user_not_found", field="user_id")
    return user


class BadgeAwardApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        request=s.BadgeActionInputSerializer, responses={201: s.UserBadgeStaffOutputSerializer}, tags=BADGE_TAGS
    )
    def post(self, request, slug: str):
        serializer = s.BadgeActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_badge = services.badge_award(
            badge_slug=slug,
            user=_target_user(serializer.validated_data["user_id"]),
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(s.UserBadgeStaffOutputSerializer(user_badge).data, status=status.HTTP_201_CREATED)


class BadgeRevokeApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=s.BadgeActionInputSerializer, responses=s.UserBadgeStaffOutputSerializer, tags=BADGE_TAGS)
    def post(self, request, slug: str):
        serializer = s.BadgeActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_badge = services.badge_revoke(
            badge_slug=slug,
            user=_target_user(serializer.validated_data["user_id"]),
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(s.UserBadgeStaffOutputSerializer(user_badge).data)
