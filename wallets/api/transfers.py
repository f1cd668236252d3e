"""``POST /api/v1/wallet/transfers/``: send tokens to another member (docs/wallets.md,
"Transfers"). A money POST like the others: Idempotency-Key required, the "money"
throttle, the sender's ``transfer_out`` row in the transaction shape."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from wallets import services
from wallets.api import serializers as s
from wallets.api.views import IDEMPOTENCY_REQUIRED, MoneyPostApi, _ledger_key

TRANSFER_ERRORS = """Send tokens from your available balance to another member, found by login email.

Errors (`code`):
- 400 `validation_error`, `invalid_amount`: the body breaks the schema (an email that is not one, a bad amount);
  `idempotency_key_required` / `idempotency_key_invalid`: the header is missing or malformed.
- 409 `insufficient_funds`: more than your available balance; `transfer_daily_limit`: over what you may send
  in any 24 hours (`OGC_TRANSFER_DAILY_LIMIT`); `balance_limit`; `idempotency_in_progress`, `idempotency_retry`.
- 422 `recipient_self`: your own email; `recipient_unavailable`: no active member has this email (an unknown
  address and an inactive account get the same answer); `transfer_max_exceeded`: over the per-transfer
  maximum (`OGC_TRANSFER_MAX`); `idempotency_key_reused`: the key was used for another payload.
- 429 `throttled`: more money POSTs than the `money` rate.
"""


@extend_schema_view(
    post=extend_schema(
        request=s.TransferInputSerializer,
        responses={201: s.TransactionOutputSerializer},
        parameters=[IDEMPOTENCY_REQUIRED],
        tags=["wallet"],
        summary="Send tokens to another member",
        description=TRANSFER_ERRORS,
    )
)
class TransferCreateApi(MoneyPostApi):
    idempotency_scope = "wallet.transfer"
    idempotency_required = True
    input_serializer = s.TransferInputSerializer

    def perform(self, request, data, **kwargs):
        return services.transfer_create(
            sender=request.user,
            recipient=data["recipient"],
            amount=data["amount"],
            memo=data["memo"],
            idempotency_key=_ledger_key(request, "api"),
        )
