"""Wallet API (DESIGN.md section 3): one class per operation, thin.

Money-moving POSTs go through ``core.idempotency.IdempotentPostMixin`` (the
Idempotency-Key header: required for withdrawals and operator deposits and
adjustments, optional elsewhere) and the "money" throttle scope. The key is also
passed down to the service as the ledger row's ``idempotency_key`` (namespaced,
see ``_ledger_key``), so even a response lost after commit cannot move money twice.
Every user-facing lookup is scoped to ``request.user``: another user's ids are 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from core.exceptions import NotFoundError
from core.idempotency import IdempotentPostMixin, idempotency_key_parameter, request_key
from core.pagination import CreatedCursorPagination
from core.permissions import IsAuditorOrOperator, IsOperator
from core.schema import STEP_UP_403
from core.stepup import step_up_verified
from wallets import selectors, services
from wallets.api import serializers as s
from wallets.filters import TransactionFilter
from wallets.models import Transaction, WalletAddress

IDEMPOTENCY_PARAM = idempotency_key_parameter(required=False)
IDEMPOTENCY_REQUIRED = idempotency_key_parameter(required=True)


def _ledger_key(request: Request, namespace: str) -> str | None:
    """The ledger row's idempotency key for this request: ``<namespace>:<key>``.

    Namespaced so a client cannot pre-empt the keys services use internally
    (``reward:<challenge>:<submission>``...) and, for operators, scoped to the
    operator like the HTTP record. Long keys are hashed to fit the column."""
    key = request_key(request)  # validated by then (core.idempotency)
    if not key:
        return None
    if len(namespace) + 1 + len(key) > 255:
        key = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    return f"{namespace}:{key}"


def _user_ref(data: dict[str, Any]):
    User = get_user_model()  # noqa: N806
    lookup = {"pk": data["user_id"]} if "user_id" in data else {"email": data["email"].strip().lower()}
    user = User.objects.filter(**lookup).first()
    if user is None:
        raise NotFoundError(
            _("User not found."), code="user_not_found", field="user_id" if "user_id" in data else "email"
        )
    return user


class MoneyPostApi(IdempotentPostMixin, APIView):
    """A money-moving POST: Idempotency-Key, the "money" throttle, input validated
    by ``input_serializer`` (a 400 releases the key), one service call in
    ``perform``, the row rendered by ``output_serializer``."""

    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "money"
    input_serializer: type[serializers.Serializer] = s.StrictInputSerializer
    output_serializer: type[serializers.Serializer] = s.TransactionOutputSerializer
    success_status = status.HTTP_201_CREATED

    def idempotent_post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = self.perform(request, data.validated_data, **kwargs)
        return Response(self.output_serializer(row).data, status=self.success_status)

    def perform(self, request: Request, data: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError


def money_schema(
    input_serializer,
    output_serializer,
    *,
    key_required: bool = False,
    tag: str = "wallet",
    ok: int = 201,
    step_up: bool = False,
):
    return extend_schema_view(
        post=extend_schema(
            request=input_serializer,
            responses={ok: output_serializer, **({403: STEP_UP_403} if step_up else {})},
            parameters=[IDEMPOTENCY_REQUIRED if key_required else IDEMPOTENCY_PARAM],
            tags=[tag],
        )
    )


class ValuesListMixin:
    """A ``ListAPIView`` whose items are built by ``items`` from ``.values(*item_fields)``
    of the filtered queryset, not by its serializer: the serializer still documents the
    response, and ``items`` is tested equal to it (wallets/tests/api/test_list_items.py).
    Filters and pagination are unchanged: the cursor paginator reads its position from
    the rows' dicts."""

    item_fields: tuple[str, ...]
    items: Callable[[Iterable[dict[str, Any]]], list[dict[str, Any]]]

    def filter_queryset(self, queryset):
        # Without any of its parameters a filterset with no required filter filters
        # nothing, but building its form and validating it costs about a tenth of a list
        # request: skip django-filter then (a prefix match, so suffixed parameters such
        # as ``x_min`` count as given).
        filterset_class = getattr(self, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class is not None else {}
        if (
            filterset_class is None
            or any(f.extra.get("required") for f in filters.values())
            or any(param.startswith(name) for param in self.request.query_params for name in filters)
        ):
            return super().filter_queryset(queryset)
        for backend in self.filter_backends:
            if not issubclass(backend, DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.filter_queryset(self.get_queryset()).values(*self.item_fields)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(self.items(rows))
        return self.get_paginated_response(self.items(page))


# --- the user's wallet ----------------------------------------------------------------------


class WalletDetailApi(APIView):
    @extend_schema(responses=s.WalletOutputSerializer, tags=["wallet"])
    def get(self, request: Request) -> Response:
        wallet = selectors.wallet_get_for_user(user=request.user)
        return Response(s.WalletOutputSerializer(wallet).data)


class TransactionListApi(ValuesListMixin, generics.ListAPIView):
    """The user's ledger, newest first; filters kind, status, created_after/before."""

    serializer_class = s.TransactionOutputSerializer
    item_fields = s.TRANSACTION_FIELDS
    items = staticmethod(s.transaction_items)
    pagination_class = CreatedCursorPagination
    filterset_class = TransactionFilter
    queryset = Transaction.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.transaction_list_for_user(user=self.request.user)

    @extend_schema(tags=["wallet"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TransactionDetailApi(APIView):
    @extend_schema(responses=s.TransactionOutputSerializer, tags=["wallet"])
    def get(self, request: Request, transaction_id: int) -> Response:
        row = selectors.transaction_get_for_user(user=request.user, transaction_id=transaction_id)
        return Response(s.TransactionOutputSerializer(row).data)


@money_schema(s.AmountInputSerializer, s.TransactionOutputSerializer)
class StakeCreateApi(MoneyPostApi):
    idempotency_scope = "wallet.stake"
    input_serializer = s.AmountInputSerializer

    def perform(self, request, data, **kwargs):
        return services.stake_create(
            user=request.user, amount=data["amount"], idempotency_key=_ledger_key(request, "api")
        )


@money_schema(s.AmountInputSerializer, s.TransactionOutputSerializer)
class UnstakeCreateApi(MoneyPostApi):
    idempotency_scope = "wallet.unstake"
    input_serializer = s.AmountInputSerializer

    def perform(self, request, data, **kwargs):
        return services.unstake_create(
            user=request.user, amount=data["amount"], idempotency_key=_ledger_key(request, "api")
        )


@money_schema(s.WithdrawalInputSerializer, s.TransactionOutputSerializer, key_required=True, step_up=True)
class WithdrawalListCreateApi(MoneyPostApi, ValuesListMixin, generics.ListAPIView):
    """GET: the user's withdrawals. POST: request one (Idempotency-Key required). Step-up:
    the body carries ``password``, or ``mfa_code`` when the account has a second factor;
    above ``OGC_WITHDRAWAL_MFA_ABOVE`` the account must have one (403 ``mfa_required``)."""

    item_fields = s.TRANSACTION_FIELDS
    items = staticmethod(s.transaction_items)
    idempotency_scope = "wallet.withdrawal"
    idempotency_required = True
    input_serializer = s.WithdrawalInputSerializer
    serializer_class = s.TransactionOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = TransactionFilter
    queryset = Transaction.objects.none()  # for the schema; requests use get_queryset

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else [UserRateThrottle()]

    def get_queryset(self):
        return selectors.withdrawal_list_for_user(user=self.request.user)

    @extend_schema(tags=["wallet"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def perform(self, request, data, **kwargs):
        data = step_up_verified(request=request, user=request.user, data=data, amount=data["amount"])
        return services.withdrawal_request(
            user=request.user,
            amount=data["amount"],
            address_id=data["address_id"],
            idempotency_key=_ledger_key(request, "api"),
        )


class WithdrawalDetailApi(APIView):
    @extend_schema(responses=s.TransactionOutputSerializer, tags=["wallet"])
    def get(self, request: Request, withdrawal_id: int) -> Response:
        row = selectors.withdrawal_get_for_user(user=request.user, withdrawal_id=withdrawal_id)
        return Response(s.TransactionOutputSerializer(row).data)


@money_schema(None, s.TransactionOutputSerializer, ok=200)
class WithdrawalCancelApi(MoneyPostApi):
    idempotency_scope = "wallet.withdrawal_cancel"
    success_status = status.HTTP_200_OK

    def perform(self, request, data, *, withdrawal_id: int):
        return services.withdrawal_cancel(user=request.user, withdrawal_id=withdrawal_id)


class AddressListCreateApi(generics.ListAPIView):
    serializer_class = s.AddressOutputSerializer
    pagination_class = CreatedCursorPagination
    queryset = WalletAddress.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.address_list_for_user(user=self.request.user)

    @extend_schema(tags=["wallet"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.AddressInputSerializer,
        responses={201: s.AddressOutputSerializer, 403: STEP_UP_403},
        tags=["wallet"],
        description="Add a withdrawal address. Step-up: the body carries `password`, or `mfa_code` "
        "when the account has a second factor.",
    )
    def post(self, request: Request) -> Response:
        data = s.AddressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.address_create(
            user=request.user, **step_up_verified(request=request, user=request.user, data=data.validated_data)
        )
        return Response(s.AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressConfirmApi(APIView):
    """Confirm a withdrawal address with the token of the link emailed to its owner (the
    token is for that member only, once; then the address cools down, see ``usable_from``)."""

    @extend_schema(request=s.AddressConfirmInputSerializer, responses=s.AddressOutputSerializer, tags=["wallet"])
    def post(self, request: Request) -> Response:
        data = s.AddressConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.address_confirm(user=request.user, token=data.validated_data["token"])
        return Response(s.AddressOutputSerializer(address).data)


class AddressDetailApi(APIView):
    @extend_schema(responses=s.AddressOutputSerializer, tags=["wallet"])
    def get(self, request: Request, address_id: int) -> Response:
        address = selectors.address_get_for_user(user=request.user, address_id=address_id)
        return Response(s.AddressOutputSerializer(address).data)

    @extend_schema(responses={204: None}, tags=["wallet"])
    def delete(self, request: Request, address_id: int) -> Response:
        services.address_delete(user=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- operators ----------------------------------------------------------------------------------


@money_schema(s.DepositInputSerializer, s.OpsTransactionOutputSerializer, key_required=True, tag="operators")
class OpsDepositCreateApi(MoneyPostApi):
    """Credit a user's wallet (an observed on-chain deposit, a manual top-up)."""

    permission_classes = [IsOperator]
    idempotency_scope = "ops.deposit"
    idempotency_required = True
    input_serializer = s.DepositInputSerializer
    output_serializer = s.OpsTransactionOutputSerializer

    def perform(self, request, data, **kwargs):
        return services.deposit_create(
            user=_user_ref(data),
            amount=data["amount"],
            actor=request.user,
            external_reference=data["external_reference"],
            memo=data["memo"],
            idempotency_key=_ledger_key(request, f"ops{request.user.pk}"),
        )


@money_schema(s.AdjustmentInputSerializer, s.OpsTransactionOutputSerializer, key_required=True, tag="operators")
class OpsAdjustmentCreateApi(MoneyPostApi):
    """A correcting entry (credit or debit of ``available``) with a reason."""

    permission_classes = [IsOperator]
    idempotency_scope = "ops.adjustment"
    idempotency_required = True
    input_serializer = s.AdjustmentInputSerializer
    output_serializer = s.OpsTransactionOutputSerializer

    def perform(self, request, data, **kwargs):
        return services.adjustment_create(
            user=_user_ref(data),
            amount=data["amount"],
            direction=data["direction"],
            reason=data["reason"],
            actor=request.user,
            idempotency_key=_ledger_key(request, f"ops{request.user.pk}"),
        )


class OpsWithdrawalListApi(generics.ListAPIView):
    """Withdrawals of every user, newest first; ``?status=pending`` is the review queue."""

    permission_classes = [IsOperator]
    serializer_class = s.OpsTransactionOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = TransactionFilter

    def get_queryset(self):
        return selectors.withdrawal_list_for_operators()

    @extend_schema(tags=["operators"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@money_schema(s.WithdrawalApproveInputSerializer, s.OpsTransactionOutputSerializer, tag="operators", ok=200)
class OpsWithdrawalApproveApi(MoneyPostApi):
    permission_classes = [IsOperator]
    idempotency_scope = "ops.withdrawal_approve"
    input_serializer = s.WithdrawalApproveInputSerializer
    output_serializer = s.OpsTransactionOutputSerializer
    success_status = status.HTTP_200_OK

    def perform(self, request, data, *, withdrawal_id: int):
        return services.withdrawal_approve(
            withdrawal_id=withdrawal_id, actor=request.user, external_reference=data["external_reference"]
        )


@money_schema(s.WithdrawalRejectInputSerializer, s.OpsTransactionOutputSerializer, tag="operators", ok=200)
class OpsWithdrawalRejectApi(MoneyPostApi):
    permission_classes = [IsOperator]
    idempotency_scope = "ops.withdrawal_reject"
    input_serializer = s.WithdrawalRejectInputSerializer
    output_serializer = s.OpsTransactionOutputSerializer
    success_status = status.HTTP_200_OK

    def perform(self, request, data, *, withdrawal_id: int):
        return services.withdrawal_reject(withdrawal_id=withdrawal_id, actor=request.user, reason=data["reason"])


class OpsSupplyApi(APIView):
    """The token supply from the journal (operators and auditors): issued, net deposited,
    circulating, staked, held, escrowed, revenue (docs/wallets.md, "Supply report")."""

    permission_classes = [IsAuditorOrOperator]

    @extend_schema(responses=s.SupplyOutputSerializer, tags=["operators"])
    def get(self, request: Request) -> Response:
        supply, revenue = selectors.supply_report()
        return Response(s.SupplyOutputSerializer(supply, context={"revenue_by_month": revenue}).data)
