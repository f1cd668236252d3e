"""Operator console for challenges: review queue, judging and paying (admin actions
that call the services, each with an audit entry naming the action), badge management.
Rewards, entries and ledger links are read-only."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from challenges import services
from challenges.forms import BadgeActionForm, ReviewForm
from challenges.models import Badge, Challenge, ChallengeEntry, Reward, Submission, SubmissionStatus, UserBadge
from core.admin import ReadOnlyAdminMixin, run_admin_action
from core.amounts import AmountFormField, exact_sum, format_amount
from core.exceptions import ApplicationError


def _render_form(admin_obj, request, *, form, title: str, intro: str, submit_label: str, back_url: str):
    context = {
        **admin_obj.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "submit_label": submit_label,
        "opts": admin_obj.model._meta,
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/challenges/action_form.html", context)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows written only by the challenge services (the actions call them)."""


class ChallengeAdminForm(forms.ModelForm):
    """Creates and edits through ``challenge_create`` / ``challenge_update``: the write
    happens in ``clean()``, so a refusal (a taken slug, prizes over the pool) is shown
    on its field; the admin's own save then has nothing left to do. ``actor`` is set
    by ``ChallengeAdmin.get_form``."""

    actor = None

    class Meta:
        model = Challenge
        fields = services.CHALLENGE_FIELDS
        field_classes = {
            "entry_fee": partial(AmountFormField, allow_zero=True),
            "prize_pool": partial(AmountFormField, allow_zero=True),
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        fields = {name: data.get(name) for name in services.CHALLENGE_FIELDS}
        try:
            if self.instance.pk is None:
                self.instance = services.challenge_create(created_by=self.actor, **fields)
            else:
                self.instance = services.challenge_update(challenge_id=self.instance.pk, actor=self.actor, **fields)
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Status moves only through the actions (publish, close, judge, pay, archive)."""

    form = ChallengeAdminForm
    list_display = (
        "title",
        "slug",
        "status",
        "phase",
        "starts_at",
        "ends_at",
        "prize_pool",
        "prize_paid",
        "leaderboard",
    )
    list_filter = ("status", "category", "visibility")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status", "prize_paid", "closed_at", "judged_at", "created_by", "created_at", "updated_at")
    actions = ["publish", "close_now", "judge", "award_rewards", "archive"]
    date_hierarchy = "starts_at"

    @admin.display(description="phase")
    def phase(self, obj: Challenge) -> str:
        return obj.phase

    @admin.display(description="leaderboard")
    def leaderboard(self, obj: Challenge) -> str:
        return format_html('<a href="/challenges/{}/leaderboard/">view</a>', obj.slug)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Nothing to save: the form's ``clean()`` wrote through the service."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # challenges with entries and rewards are records; archive instead

    def has_judge_permission(self, request) -> bool:
        return request.user.has_perm("challenges.judge_challenge")

    def has_award_permission(self, request) -> bool:
        return request.user.has_perm("challenges.award_reward")

    def _each(self, request: HttpRequest, queryset, call: Callable[[Challenge], str]) -> None:
        """Run ``call`` per challenge (one service call, which writes the audit entry); report each outcome."""
        run_admin_action(self, request, queryset.order_by("pk"), operation=call)

    @admin.action(description="Publish (draft → scheduled)", permissions=["judge"])
    def publish(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.challenge_publish(challenge_id=c.pk, actor=request.user) and "published",
        )

    @admin.action(description="Close now (stop submissions)", permissions=["judge"])
    def close_now(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.challenge_close(challenge_id=c.pk, actor=request.user) and "closed",
        )

    @admin.action(description="Judge (rank accepted submissions)", permissions=["judge"])
    def judge(self, request, queryset):
        def call(c: Challenge) -> str:
            ranking = services.challenge_judge(challenge_id=c.pk, actor=request.user)
            return f"judged, {len(ranking)} ranked submission(s)"

        self._each(request, queryset, call)

    @admin.action(description="Pay rewards through the ledger", permissions=["award"])
    def award_rewards(self, request, queryset):
        def call(c: Challenge) -> str:
            rewards = services.rewards_award(challenge_id=c.pk, actor=request.user)
            total = exact_sum(r.amount for r in rewards)
            return f"{len(rewards)} reward(s) paid, {format_amount(total, symbol=True)}"

        self._each(request, queryset, call)

    @admin.action(description="Archive", permissions=["judge"])
    def archive(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.challenge_archive(challenge_id=c.pk, actor=request.user) and "archived",
        )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """The review queue: filter by status "Submitted"; "Review" opens the review form."""

    list_display = ("title", "challenge", "user", "status", "score", "rank", "submitted_at", "review_link")
    list_filter = ("status", "challenge")
    search_fields = ("title", "user__email", "challenge__slug")
    list_select_related = ("challenge", "user")
    ordering = ("submitted_at",)
    readonly_fields = [f.name for f in Submission._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm("challenges.review_submission")

    @admin.display(description="review")
    def review_link(self, obj: Submission) -> str:
        if obj.status in (SubmissionStatus.WITHDRAWN, SubmissionStatus.WINNER):
            return "—"
        return format_html('<a href="{}">Review</a>', reverse("admin:challenges_submission_review", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<int:pk>/review/", self.admin_site.admin_view(self.review_view), name="challenges_submission_review"),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("challenges.review_submission"):
            raise PermissionDenied
        submission = get_object_or_404(Submission.objects.select_related("challenge", "user"), pk=pk)
        initial = {"status": "accepted", "score": submission.score, "review_note": submission.review_note}
        form = ReviewForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.submission_review(
                    reviewer=request.user,
                    submission_id=submission.pk,
                    decision=data["status"],
                    score=data["score"],
                    note=data["review_note"],
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(request, f"{submission.title}: {data['status']}.", messages.SUCCESS)
                return redirect(reverse("admin:challenges_submission_changelist") + "?status__exact=submitted")
        intro = f"{submission.challenge} — {submission.user}\n\n{submission.content}\n{submission.link}"
        return _render_form(
            self,
            request,
            form=form,
            title=f"Review “{submission.title}”",
            intro=intro,
            submit_label="Save review",
            back_url="admin:challenges_submission_changelist",
        )


@admin.register(Reward)
class RewardAdmin(ReadOnlyAdmin):
    list_display = ("challenge", "rank", "amount", "submission", "wallet", "transaction", "awarded_by", "awarded_at")
    list_filter = ("challenge",)
    list_select_related = ("challenge", "submission", "wallet", "transaction", "awarded_by")


@admin.register(ChallengeEntry)
class ChallengeEntryAdmin(ReadOnlyAdmin):
    list_display = ("challenge", "user", "fee_transaction", "created_at")
    list_filter = ("challenge",)
    search_fields = ("user__email",)
    list_select_related = ("challenge", "user", "fee_transaction")


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
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
            user = get_user_model().objects.filter(email=form.cleaned_data["user_email"].strip().lower()).first()
            if user is None:
                form.add_error("user_email", "No user with this email.")
            else:
                try:
                    service(badge_slug=badge.slug, user=user, actor=request.user, reason=form.cleaned_data["reason"])
                except ApplicationError as exc:
                    form.add_error("user_email" if exc.field is None else None, exc.message)
                else:
                    self.message_user(request, f"{verb}: {badge} for {user}.", messages.SUCCESS)
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

    list_display = ("badge", "user", "awarded_at", "awarded_by", "reason", "revoked_at", "revoked_by", "revoke_reason")
    list_filter = ("badge", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "badge__slug")
    list_select_related = ("badge", "user", "awarded_by", "revoked_by")
