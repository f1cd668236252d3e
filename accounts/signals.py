"""allauth's login signal -> the new-device check (``login_device_record``): library
plumbing only, the rule is the service's."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from accounts.services import login_device_record


@receiver(user_logged_in, dispatch_uid="accounts.login_device_record")
def on_login(sender, request, user, **kwargs) -> None:
    login_device_record(
        user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""), ip=request.META.get("REMOTE_ADDR")
    )
