"""Read layer of the accounts app."""

from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.models.user import normalize_email


def email_in_use(*, email: str, exclude_user_id: int | None = None) -> bool:
    """Whether an account other than ``exclude_user_id`` holds ``email``, in any case:
    as its login email (``users.email``, stored lower-cased, unique) or as any of its
    allauth addresses, verified or not. One address, one account: MariaDB does not
    create allauth's conditional unique constraints (docs/security.md, "Contract
    hardening"), so every path that adds or changes an address asks this first."""
    email = normalize_email(email)
    if not email:
        return False
    users = User.objects.filter(email=email)
    addresses = EmailAddress.objects.filter(email__iexact=email)
    if exclude_user_id is not None:
        users = users.exclude(pk=exclude_user_id)
        addresses = addresses.exclude(user_id=exclude_user_id)
    return users.exists() or addresses.exists()


def user_get_with_wallet(*, user_id: int) -> User:
    return User.objects.select_related("wallet").get(pk=user_id)


def members_joined_per_day(*, since) -> list[tuple]:
    """``(UTC day, count)`` of accounts created since ``since`` (``idx_users_date_joined``)."""
    from datetime import UTC

    from django.db.models import Count
    from django.db.models.functions import TruncDate

    return list(
        User.objects.filter(date_joined__gte=since)
        .annotate(day=TruncDate("date_joined", tzinfo=UTC))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )


def members_search(*, query: str, limit: int = 10):
    """Accounts whose email starts with ``query`` (the unique index) or whose display
    name contains it, emails first; for the console's search."""
    from django.db.models import Q

    query = query.strip()
    return User.objects.filter(Q(email__istartswith=query) | Q(display_name__icontains=query)).order_by("email")[:limit]


def members_active_count(*, since) -> int:
    """Active accounts that signed in since ``since`` (``/metrics``' active members)."""
    return User.objects.filter(is_active=True, last_login__gte=since).count()


def api_tokens_of(*, user: User):
    """The member's API tokens, newest first (the tokens page and ``GET /auth/tokens/``)."""
    from accounts.models import ApiToken

    return ApiToken.objects.filter(user=user).order_by("-created")


def withdrawal_mfa_required(*, user: User, amount) -> bool:
    """Whether a withdrawal of ``amount`` needs a second factor that ``user`` lacks
    (``OGC_WITHDRAWAL_MFA_ABOVE``). The wallets API asks ``core.stepup`` directly (the
    ledger imports nothing above it); pages and services of apps above it ask here."""
    from core.stepup import withdrawal_mfa_missing

    return withdrawal_mfa_missing(user=user, amount=amount)


def user_sessions_of(*, user: User) -> list:
    """The member's signed-in browsers (allauth.usersessions), newest first; sessions
    that ended elsewhere (expired, logged out) are purged on the way."""
    from allauth.usersessions.models import UserSession

    return sorted(UserSession.objects.purge_and_list(user), key=lambda s: s.created_at, reverse=True)
