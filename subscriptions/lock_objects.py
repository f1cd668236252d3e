"""Row locks of the subscriptions domain.

Lock order, always: the user row (only when a subscription may be created), then
the subscription row, then the wallet (taken by ``wallets.services.payment_debit``).
Plans are never locked: the locked queries do not join them (a ``FOR UPDATE``
with a join would lock the plan row too and serialise every subscriber of a plan).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from core.exceptions import NotFoundError
from subscriptions.models import Subscription


def user_for_update(*, user_id: int) -> None:
    """Serialise the first subscribe of a user (there is no subscription row to lock yet)."""
    if not list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True)):
        raise NotFoundError(_("User not found."), code="user_not_found")


def subscription_for_update(*, user_id: int | None = None, subscription_id: int | None = None) -> Subscription | None:
    lookup = {"user_id": user_id} if user_id is not None else {"pk": subscription_id}
    return Subscription.objects.select_for_update().filter(**lookup).first()
