"""Write layer of the accounts app."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ApiToken, TokenScope, User
from accounts.models.user import normalize_email
from accounts.roles import AUDITED_APPS, ROLE_PERMISSIONS
from accounts.selectors import email_in_use
from core.audit import AuditAction, audit_record
from core.exceptions import ApplicationError, ConflictError
from core.i18n import current_language, member_locale
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER

PROFILE_FIELDS = ("display_name", "bio", "avatar_url", "country", "locale", "timezone")


def user_assign_role(*, user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)


def _role_permissions(role: str) -> set[int]:
    perms: set[int] = set()
    for dotted in ROLE_PERMISSIONS[role]:
        app_label, codename = dotted.split(".", 1)
        pk = (
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise ApplicationError(
                _("Role %(role)s: permission %(permission)s does not exist (migrate first?).")
                % {"role": role, "permission": dotted},
                code="unknown_permission",
            )
        perms.add(pk)
    if role == ROLE_AUDITOR:
        perms.update(
            Permission.objects.filter(
                content_type__app_label__in=AUDITED_APPS, codename__startswith="view_"
            ).values_list("pk", flat=True)
        )
    return perms


@transaction.atomic
def roles_sync() -> dict[str, tuple[int, bool]]:
    """Make each role's group hold exactly the permissions ``accounts.roles`` lists.

    Returns ``{role: (permission count, created)}``. Idempotent; an unknown permission
    (a renamed model, migrations not applied) refuses the whole sync."""
    report: dict[str, tuple[int, bool]] = {}
    for role in ROLE_PERMISSIONS:
        group, created = Group.objects.get_or_create(name=role)
        wanted = _role_permissions(role)
        if wanted != set(group.permissions.values_list("pk", flat=True)):
            group.permissions.set(wanted)
        report[role] = (len(wanted), created)
    return report


@transaction.atomic
def account_create(
    *,
    email: str,
    password: str,
    display_name: str = "",
    role: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Create an account outside signup (the admin account, demo members and staff),
    or return the existing one unchanged: ``(user, created)``. A new account gets its
    wallet (``User.save``) and, with ``role``, that role; an existing account is only
    added to ``role`` if it lacks it. No welcome notification: nobody signed up."""
    email = normalize_email(email)
    if not email or not password:
        raise ApplicationError(
            _("An email address and a password are required."), code="invalid", field="email", status_code=400
        )
    user = User.objects.filter(email=email).first()
    if user is None and email_in_use(email=email):  # another account's secondary address
        raise ConflictError(_("A user with this email address already exists."), code="email_taken", field="email")
    created = user is None
    if user is None:
        manager = User.objects.create_superuser if is_superuser else User.objects.create_user
        extra = {} if is_superuser else {"is_staff": is_staff}
        user = manager(email=email, password=password, display_name=display_name, **extra)
    if role is not None and not user.groups.filter(name=role).exists():
        user_assign_role(user=user, role=role)
    return user, created


def after_signup(*, user: User) -> None:
    """Side effects of any signup (page or API): the member role and the welcome
    notification (in-app and email), written in the signup's transaction and
    delivered after the commit."""
    from notifications.kinds import NotificationKind
    from notifications.services import notify

    user_assign_role(user=user, role=ROLE_MEMBER)
    with member_locale(user):
        title = _("Welcome to OGC NewFinity")
        body = _("Your wallet is ready. Join a challenge, stake your tokens and take part in governance.")
    notify(user=user, kind=NotificationKind.WELCOME, title=title, body=body, event_id=f"welcome:{user.pk}")


@transaction.atomic
def user_signup(*, email: str, password: str, **profile: Any) -> User:
    """Create a member from the API: validated email and password, the allauth
    email record, the wallet (via ``User.save``), the member role and the welcome
    email (on commit). Any failure leaves nothing behind."""
    email = normalize_email(email)
    if email_in_use(email=email):
        raise ConflictError(_("A user with this email address already exists."), code="email_taken", field="email")
    # The language of the request unless the caller chose one: the welcome note and
    # later notifications are written in it.
    profile = {"locale": current_language(), **profile}
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


@transaction.atomic
def password_reset_send(*, user: User, actor: User | None, request: Any) -> bool:
    """Email ``user`` allauth's password-reset link (an operator's alternative to
    setting a password, which only the mailbox owner can use) and record it. Returns
    False, sending nothing, for an account allauth would not reset (inactive)."""
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid():
        return False
    form.save(request)
    audit_record(action=AuditAction.PASSWORD_RESET_SEND, instance=user, actor=actor)
    return True


# --- API tokens (issue #17, part 5; docs/security.md "API tokens") ----------------------


def api_token_create(*, user: User, name: str, scope: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new named token; returns it and its secret, which is never stored and cannot
    be shown again (knox keeps the SHA-512 digest). ``days`` defaults to knox's TTL."""
    from datetime import timedelta

    from knox.settings import knox_settings

    if scope not in TokenScope.values:
        raise ApplicationError(_("Choose what the token may do."), code="invalid_scope", field="scope")
    expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
    with transaction.atomic():
        token, secret = ApiToken.objects.create(
            user=user, expiry=expiry, name=name.strip() or _("API token"), scope=scope
        )
        audit_record(
            action=AuditAction.API_TOKEN_CREATED, instance=user, actor=user, data={"name": token.name, "scope": scope}
        )
    return token, secret


def api_token_revoke(*, user: User, public_id) -> None:
    """Delete one of ``user``'s tokens (404 for anyone else's)."""
    from core.exceptions import NotFoundError

    with transaction.atomic():
        token = ApiToken.objects.filter(user=user, public_id=public_id).first()
        if token is None:
            raise NotFoundError(_("No such token."))
        audit_record(action=AuditAction.API_TOKEN_REVOKED, instance=user, actor=user, data={"name": token.name})
        token.delete()


def user_session_end(*, user: User, session_id: int) -> str:
    """End one of ``user``'s sessions (allauth.usersessions: the session is deleted from
    the store, so that browser is signed out); 404 for anyone else's. Returns its key
    (the caller signs the current browser out when it ended its own session)."""
    from allauth.usersessions.models import UserSession

    from core.exceptions import NotFoundError

    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise NotFoundError(_("No such session."), code="session_not_found")
    key = session.session_key
    session.end()
    return key


def user_sessions_end_all(*, user: User) -> int:
    """ "Log out everywhere": end every session of ``user`` (this browser's too)."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


def login_device_record(*, user: User, user_agent: str, ip: str | None) -> bool:
    """Remember the device of a login (``accounts.devices``); a device or network not
    seen before for ``user`` sends a security notification (in-app + email), unless it
    is the account's first. Returns whether the device was new."""
    from django.utils import timezone

    from accounts.devices import device_of
    from accounts.models import KnownDevice
    from notifications.services import notify

    fingerprint, label = device_of(user_agent=user_agent, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        if KnownDevice.objects.filter(user=user, fingerprint=fingerprint).update(last_seen_at=now):
            return False
        first = not KnownDevice.objects.filter(user=user).exists()
        _device, created = KnownDevice.objects.get_or_create(
            user=user, fingerprint=fingerprint, defaults={"label": label, "first_seen_at": now, "last_seen_at": now}
        )
        if created and not first:
            notify(
                user=user,
                kind="security",
                title=_("New sign-in to your account"),
                body=_(
                    "Your account was signed in to from a device or network we have not seen before: %(device)s, "
                    "on %(when)s UTC. If this was you, there is nothing to do. If not, change your password and "
                    "sign the other sessions out (Account settings, “Where you're signed in”)."
                )
                % {"device": label, "when": now.strftime("%Y-%m-%d %H:%M")},
                data={"device": label},
                event_id=f"device:{user.pk}:{fingerprint}",
            )
    return created and not first
