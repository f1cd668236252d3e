"""Reads for member transfers: how a member is named to another one, and who is on
the other side of a member's transfer rows (for the wallet's history)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from wallets.models import Transaction, TransactionKind

K = TransactionKind


def masked_email(email: str) -> str:
    """``alice@example.com`` -> ``a…@example.com``: enough to recognise, not to harvest."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


def member_label(user: Any) -> str:
    """How a member appears to the other side of a transfer: their display name and
    masked email, or the masked email alone."""
    masked = masked_email(user.email)
    name = (getattr(user, "display_name", "") or "").strip()
    return f"{name} ({masked})" if name else masked


def transfer_counterparts(rows: Iterable[Transaction]) -> dict[int, str]:
    """``{row id: label of the other member}`` for the transfer rows among ``rows``:
    the receiver of a sent transfer, the sender of a received one (two queries at most)."""
    rows = list(rows)
    sent = [r.pk for r in rows if r.kind == K.TRANSFER_OUT]
    received = {r.pk: r.actor_id for r in rows if r.kind == K.TRANSFER_IN and r.actor_id is not None}
    labels: dict[int, str] = {}
    receivers: dict[int, int] = {}
    if sent:
        pairs = Transaction.objects.filter(
            kind=K.TRANSFER_IN,
            source_type=ContentType.objects.get_for_model(Transaction),
            source_id__in=sent,
        ).values_list("source_id", "user_id")
        receivers = {source_id: user_id for source_id, user_id in pairs if source_id is not None}
    user_ids = {*receivers.values(), *received.values()}
    if not user_ids:
        return labels
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids).only("pk", "email", "display_name")}
    for out_id, user_id in receivers.items():
        if user_id in users:
            labels[out_id] = member_label(users[user_id])
    for in_id, user_id in received.items():
        if user_id in users:
            labels[in_id] = member_label(users[user_id])
    return labels
