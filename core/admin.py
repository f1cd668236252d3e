"""Admin pieces shared by every app."""


class ReadOnlyAdminMixin:
    """For records nobody edits in the admin (ledger rows, audit entries, votes,
    delivery states): viewing stays governed by the ``view`` permission; adding,
    changing and deleting are refused to everyone, superusers included. Changes
    happen only through the owning app's services (admin actions call those)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
