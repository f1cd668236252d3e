"""Read layer of the accounts app."""

from accounts.models import User


def user_get_with_wallet(*, user_id: int) -> User:
    return User.objects.select_related("wallet").get(pk=user_id)
