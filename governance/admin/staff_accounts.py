"""Staff accounts (``governance.Admin``, a proxy of the user model): every staff user
with roles, last login and active flag; created, changed and disabled by superusers
only (never deleted: their audit trail stays attributable); everyone else with the
view permission (auditors) only reads."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import UserAdmin
from core.admin import run_admin_action
from governance.models import Admin
from governance.services import admin_set_active


@admin.register(Admin)
class AdminAccountAdmin(UserAdmin):
    list_display = ("email", "display_name", "roles", "is_active", "is_superuser", "last_login", "date_joined")
    list_filter = ("is_active", "is_superuser", "groups")
    inlines: list = []
    readonly_fields = ("date_joined", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        ("Access", {"fields": ("is_active", "is_superuser", "groups")}),
        ("Dates", {"fields": ("date_joined", "last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "groups")}),)
    filter_horizontal = ("groups",)
    actions = ["disable_accounts", "enable_accounts"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj: Admin) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # disable instead: the account stays the actor of its audit entries

    def _set_active(self, request, queryset, *, active: bool) -> None:
        run_admin_action(
            self,
            request,
            queryset,
            operation=lambda account: admin_set_active(admin_id=account.pk, active=active, actor=request.user) and None,
            label=lambda account: account.email,
            success=lambda n: f"{n} account(s) {'enabled' if active else 'disabled'}.",
        )

    @admin.action(description="Disable selected accounts", permissions=["change"])
    def disable_accounts(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Enable selected accounts", permissions=["change"])
    def enable_accounts(self, request, queryset):
        self._set_active(request, queryset, active=True)
