"""Badges: the catalog is edited here; award and revoke open forms that call the
services. Who holds what (revoked rows stay, with who revoked them and why)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from challenges import services
from challenges.admin.base import ReadOnlyAdmin, _render_form
from challenges.models import Badge, UserBadge
from core.admin import ConsoleAdminMixin, MemberPicker, member_html, user_change_url
from core.exceptions import ApplicationError


class BadgeActionForm(forms.Form):
    """Award or revoke a badge: the member is picked by autocomplete (email or display
    name, the User admin's search), not typed as an exact email."""

    member = forms.ModelChoiceField(
        queryset=get_user_model().objects.all(),
        widget=MemberPicker(UserBadge._meta.get_field("user"), admin.site),
        help_text="Type part of the member's email or display name.",
    )
    reason = forms.CharField(max_length=300)


@admin.register(Badge)
class BadgeAdmin(ConsoleAdminMixin, admin.ModelAdmin):
    """The catalog is edited here; award and revoke open forms that call the services."""

    list_display = ("name", "slug", "icon", "rule", "active", "manage")
    list_filter = ("rule", "active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: holders keep their history

    @admin.display(description="holders")
    def manage(self, obj: Badge) -> str:
        return format_html(
            '<a href="{}">Award</a> · <a href="{}">Revoke</a>',
            reverse("admin:challenges_badge_award", args=[obj.pk]),
            reverse("admin:challenges_badge_revoke", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path("<int:pk>/award/", self.admin_site.admin_view(self.award_view), name="challenges_badge_award"),
            path("<int:pk>/revoke/", self.admin_site.admin_view(self.revoke_view), name="challenges_badge_revoke"),
            *super().get_urls(),
        ]

    def award_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._badge_action(request, pk, action="badge_award", service=services.badge_award, verb="Award")

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._badge_action(request, pk, action="badge_revoke", service=services.badge_revoke, verb="Revoke")

    def _badge_action(self, request: HttpRequest, pk: int, *, action: str, service, verb: str) -> HttpResponse:
        if not request.user.has_perm("challenges.manage_badges"):
            raise PermissionDenied
        badge = get_object_or_404(Badge, pk=pk)
        form = BadgeActionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.cleaned_data["member"]
            try:
                service(badge_slug=badge.slug, user=user, actor=request.user, reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                form.add_error("member" if exc.field is None else None, exc.message)
            else:
                self.message_user(request, f"{verb}: {badge} for {user.email}.", messages.SUCCESS)
                return redirect("admin:challenges_userbadge_changelist")
        return _render_form(
            self,
            request,
            form=form,
            title=f"{verb} “{badge}”",
            intro=badge.description,
            submit_label=verb,
            back_url="admin:challenges_badge_changelist",
        )


@admin.register(UserBadge)
class UserBadgeAdmin(ReadOnlyAdmin):
    """Who holds what; revoked rows stay, with who revoked them and why."""

    list_display = (
        "badge",
        "member",
        "awarded_at",
        "awarded_by",
        "reason",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )
    list_filter = ("badge", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "badge__slug")
    list_select_related = ("badge", "user", "awarded_by", "revoked_by")

    @admin.display(description="member", ordering="user__email")
    def member(self, obj: UserBadge) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))
