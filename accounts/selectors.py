"""Read layer of the accounts app."""

from accounts.models import User


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
