"""Queue actors of the accounts app."""

from __future__ import annotations

import dramatiq
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import User


@dramatiq.actor(queue_name="default", max_retries=5, min_backoff=1_000, max_backoff=60_000)
def send_welcome_email(user_id: int) -> None:
    """Send the welcome email after signup; a missing user (deleted since) is skipped."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {"user": user, "token_symbol": settings.OGC_TOKEN_SYMBOL}
    send_mail(
        subject="Welcome to OGC NewFinity",
        message=render_to_string("accounts/email/welcome.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        html_message=render_to_string("accounts/email/welcome.html", context),
    )
