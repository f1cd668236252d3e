"""Row locks of the AI segment. A request is created under its member's user row lock
(so the rate limit and the monthly free credits are counted once per member at a
time), then the wallet is locked by the ledger's hold: user row, then wallet, always
in that order. A request is run and settled under its own row lock."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from ai.models import AIRequest


def member_for_update(*, user_id: int) -> None:
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


def request_for_update(*, request_id: int) -> AIRequest | None:
    return AIRequest.objects.select_for_update().filter(pk=request_id).first()
