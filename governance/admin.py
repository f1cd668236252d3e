"""Operator console for governance: staff accounts, proposals, votes, the audit log.

* Admin accounts: every staff user with roles, last login and active flag; created,
  changed and disabled by superusers only (never deleted: their audit trail stays
  attributable); everyone else with the view permission (auditors) only reads.
* The audit log (django-auditlog's LogEntry) is read-only for everyone, superusers
  included: no add, no change, no delete, no bulk delete.
* Proposals are created on the site/API (the author's stake is checked there); the
  admin reads them and runs the cancel/close actions through the same services.
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import UserAdmin
from core.admin import ReadOnlyAdminMixin, run_admin_action
from governance.models import Admin, Proposal, Vote
from governance.services import admin_set_active, proposal_cancel, proposal_close


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


class VoteInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Vote
    extra = 0
    can_delete = False
    fields = ("voter", "choice", "weight", "created_at", "updated_at")
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "author",
        "status",
        "voting_starts_at",
        "voting_ends_at",
        "outcome",
        "winning_choice",
    )
    list_filter = ("status", "outcome", "quorum_met")
    search_fields = ("title", "author__email")
    list_select_related = ("author",)
    date_hierarchy = "created_at"
    inlines = [VoteInline]
    actions = ["cancel_proposals", "close_ended_proposals"]
    readonly_fields = (
        "title",
        "body",
        "author",
        "status",
        "choices",
        "voting_starts_at",
        "voting_ends_at",
        "snapshot_at",
        "quorum_share",
        "tally",
        "total_weight",
        "total_staked_at_snapshot",
        "quorum_met",
        "outcome",
        "winning_choice",
        "published_at",
        "closed_at",
        "canceled_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False  # proposals come from members (stake checked in proposal_create)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only drafts (never voted on) may be removed; everything else is a public record.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == "draft")

    def _run(self, request, queryset, *, done: str, service) -> None:
        run_admin_action(
            self,
            request,
            queryset,
            operation=lambda proposal: service(proposal) and None,
            label=lambda proposal: f"#{proposal.pk}",
            success=lambda n: f"{n} proposal(s) {done}.",
        )

    @admin.action(description="Cancel selected proposals", permissions=["change"])
    def cancel_proposals(self, request, queryset):
        self._run(
            request,
            queryset,
            done="canceled",
            service=lambda p: proposal_cancel(proposal_id=p.pk, actor=request.user),
        )

    @admin.action(description="Close selected proposals whose voting has ended", permissions=["change"])
    def close_ended_proposals(self, request, queryset):
        self._run(request, queryset, done="closed", service=lambda p: proposal_close(proposal_id=p.pk))


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Votes are cast by members only; the admin reads them."""

    list_display = ("id", "proposal", "voter", "choice", "weight", "updated_at")
    list_filter = ("choice",)
    search_fields = ("voter__email", "proposal__title")
    list_select_related = ("proposal", "voter")
    readonly_fields = ("proposal", "voter", "choice", "weight", "created_at", "updated_at")


# django-auditlog's own LogEntryAdmin already refuses add and change, but allows a
# delete when the request comes from another admin page (cascades), and keeps the
# bulk "delete selected" action in the list. Ours refuses every write, always.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ReadOnlyLogEntryAdmin(ReadOnlyAdminMixin, AuditlogLogEntryAdmin):
    search_fields = ["object_repr", "object_pk", "cid", "actor_email"]

    def get_actions(self, request):
        return {}
