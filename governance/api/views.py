"""Governance API: proposals and votes (members), results (public), audit log (auditors, operators)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFoundError
from core.filters import StrictDjangoFilterBackend
from core.pagination import DefaultPagination, StrictPageSizeMixin
from core.permissions import IsAuditorOrOperator
from governance.api.serializers import (
    AuditLogOutputSerializer,
    ProposalFilterSerializer,
    ProposalInputSerializer,
    ProposalOutputSerializer,
    ResultsOutputSerializer,
    VoteInputSerializer,
    VoteOutputSerializer,
)
from governance.filters import AuditLogFilter
from governance.selectors import audit_log_list, proposal_get, proposal_list, proposal_results
from governance.services import proposal_cancel, proposal_create, proposal_publish, vote_cast

TAGS = ["governance"]


def _proposal_or_404(pk: int):
    proposal = proposal_get(proposal_id=pk)
    if proposal is None:
        raise NotFoundError(_("Proposal not found."), code="proposal_not_found")
    return proposal


class ProposalListCreateApi(APIView):
    """GET: every proposal (public, ``?status=``). POST: a member with enough stake proposes."""

    pagination_class = DefaultPagination  # for the schema: GET pages its results

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(
        parameters=[OpenApiParameter("status", str, required=False, enum=["draft", "active", "closed", "canceled"])],
        responses=ProposalOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request):
        filters = ProposalFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        queryset = proposal_list(status=filters.validated_data.get("status"), viewer=request.user)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ProposalOutputSerializer(page, many=True).data)

    @extend_schema(request=ProposalInputSerializer, responses={201: ProposalOutputSerializer}, tags=TAGS)
    def post(self, request):
        serializer = ProposalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = proposal_create(author=request.user, **serializer.validated_data)
        return Response(ProposalOutputSerializer(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProposalOutputSerializer, tags=TAGS)
    def get(self, request, pk: int):
        proposal = _proposal_or_404(pk)
        if proposal.status == "draft" and proposal.author_id != getattr(request.user, "pk", None):
            raise NotFoundError(_("Proposal not found."), code="proposal_not_found")
        return Response(ProposalOutputSerializer(proposal).data)


class ProposalPublishApi(APIView):
    @extend_schema(request=None, responses=ProposalOutputSerializer, tags=TAGS)
    def post(self, request, pk: int):
        return Response(ProposalOutputSerializer(proposal_publish(proposal_id=pk, actor=request.user)).data)


class ProposalCancelApi(APIView):
    @extend_schema(request=None, responses=ProposalOutputSerializer, tags=TAGS)
    def post(self, request, pk: int):
        return Response(ProposalOutputSerializer(proposal_cancel(proposal_id=pk, actor=request.user)).data)


class VoteApi(APIView):
    """Cast or change my vote while the proposal is open (members with stake at the snapshot)."""

    @extend_schema(request=VoteInputSerializer, responses=VoteOutputSerializer, tags=TAGS)
    def post(self, request, pk: int):
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vote = vote_cast(proposal_id=pk, voter=request.user, choice=serializer.validated_data["choice"])
        return Response(VoteOutputSerializer(vote).data)


class ProposalResultsApi(APIView):
    """Public: the live tally while voting is open, the stored result once closed."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ResultsOutputSerializer, tags=TAGS)
    def get(self, request, pk: int):
        proposal = _proposal_or_404(pk)
        if proposal.status == "draft":
            raise NotFoundError(_("Proposal not found."), code="proposal_not_found")
        return Response(ResultsOutputSerializer(proposal_results(proposal=proposal)).data)


class AuditLogPagination(StrictPageSizeMixin, CursorPagination):
    ordering = ("-timestamp", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(tags=TAGS)
class AuditLogListApi(ListAPIView):
    """The audit trail, newest first (auditors and operators). Read-only."""

    permission_classes = [IsAuditorOrOperator]
    serializer_class = AuditLogOutputSerializer
    filter_backends = [StrictDjangoFilterBackend]
    filterset_class = AuditLogFilter
    pagination_class = AuditLogPagination

    def get_queryset(self):
        return audit_log_list()
