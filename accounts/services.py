"""Write layer of the accounts app."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.models.user import normalize_email
from core.exceptions import ApplicationError
from core.permissions import ROLE_MEMBER

PROFILE_FIELDS = ("display_name", "bio", "avatar_url", "country", "locale", "timezone")


def user_assign_role(*, user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)


def after_signup(*, user: User) -> None:
    """Side effects of any signup (page or API): the member role and the welcome
    notification (in-app and email), written in the signup's transaction and
    delivered after the commit."""
    from notifications.kinds import NotificationKind
    from notifications.services import notify

    user_assign_role(user=user, role=ROLE_MEMBER)
    notify(
        user=user,
        kind=NotificationKind.WELCOME,
        title="Welcome to OGC NewFinity",
        body="Your wallet is ready. Join a challenge, stake your tokens and take part in governance.",
        event_id=f"welcome:{user.pk}",
    )


@transaction.atomic
def user_signup(*, email: str, password: str, **profile: Any) -> User:
    """Create a member from the API: validated email and password, the allauth
    email record, the wallet (via ``User.save``), the member role and the welcome
    email (on commit). Any failure leaves nothing behind."""
    email = normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise ApplicationError("A user with this email address already exists.", code="email_taken", field="email")
    user = User(email=email, **{k: v for k, v in profile.items() if k in PROFILE_FIELDS})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password") from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    after_signup(user=user)
    return user


@transaction.atomic
def user_profile_update(*, user: User, data: dict[str, Any]) -> User:
    """Change profile fields only; anything else in ``data`` is ignored by design."""
    changed = [field for field in PROFILE_FIELDS if field in data and getattr(user, field) != data[field]]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=[*changed, "updated_at"])
    return user
