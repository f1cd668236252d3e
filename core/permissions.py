"""Role checks shared by API views. Roles are Django groups created by ``seed``."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

ROLE_MEMBER = "member"
ROLE_MODERATOR = "moderator"
ROLE_OPERATOR = "operator"
ROLE_AUDITOR = "auditor"
ROLES = (ROLE_MEMBER, ROLE_MODERATOR, ROLE_OPERATOR, ROLE_AUDITOR)


def has_role(user, *roles: str) -> bool:
    """Superusers hold every role; any active user holds the roles of its groups.

    Roles act in the API and the pages whether or not the account is staff;
    ``is_staff`` only opens the admin (where Django permissions apply)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_ogc_role_cache", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._ogc_role_cache = names
    return bool(names.intersection(roles))


class _RolePermission(BasePermission):
    roles: tuple[str, ...] = ()
    message = "You do not have the role this action needs."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *self.roles)


class IsOperator(_RolePermission):
    roles = (ROLE_OPERATOR,)


class IsModerator(_RolePermission):
    roles = (ROLE_MODERATOR, ROLE_OPERATOR)


class IsAuditorOrOperator(_RolePermission):
    roles = (ROLE_AUDITOR, ROLE_OPERATOR)
