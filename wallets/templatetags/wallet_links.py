"""Links the wallets app puts in emails: the withdrawal-address confirmation link, signed
when the email is rendered (``wallets.services.address_confirm_token``) so the token is
never stored, not even in the notification the member's session can read."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from wallets.models import WalletAddress
from wallets.services import address_confirm_token

register = template.Library()


@register.simple_tag
def address_confirm_url(address_id) -> str:
    """The absolute confirmation link of an address still awaiting confirmation; empty
    when it was removed or confirmed since (the email then says so)."""
    address = (
        WalletAddress.objects.select_related("wallet")
        .filter(pk=address_id, verified_at__isnull=True)
        .only("pk", "created_at", "wallet__user_id")
        .first()
    )
    if address is None:
        return ""
    path = reverse("wallet_address_confirm", args=[address_confirm_token(address)])
    return settings.OGC_SITE_URL.rstrip("/") + path
