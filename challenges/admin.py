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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from challenges import selectors, services
from challenges.admin_queues import QUEUE_URL_NAME, REVIEW_PERMISSION, SubmissionQueueAdmin, quick_review_view
from challenges.forms import ReviewForm
from challenges.models import Badge, Challenge, ChallengeEntry, Reward, Submission, SubmissionStatus, UserBadge
from core.admin import (
    ConsoleAdminMixin,
    CsvExportMixin,
    MemberPicker,
    ReadOnlyAdminMixin,
    amount_html,
    member_html,
    pill,
    run_admin_action,
    safe_next_url,
    user_change_url,
)
from core.admin_site import Chart, Series, Tile, queue_tile, register_chart, register_tile
from core.amounts import AmountFormField, exact_sum, format_amount
from core.exceptions import ApplicationError


def _render_form(admin_obj, request, *, form, title: str, intro: str, submit_label: str, back_url: str):
    context = {
        **admin_obj.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "media": admin_obj.media + form.media,
        "submit_label": submit_label,
        "opts": admin_obj.model._meta,
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/challenges/action_form.html", context)


class ReadOnlyAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
class ChallengeAdmin(ConsoleAdminMixin, admin.ModelAdmin):
    """Status moves only through the actions (publish, close, judge, pay, archive)."""

    form = ChallengeAdminForm
    list_display = (
        "title",
        "slug",
        "status_pill",
        "phase",
        "starts_at",
        "ends_at",
        "prize_pool_col",
        "prize_paid_col",
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

    @admin.display(description="status", ordering="status")
    def status_pill(self, obj: Challenge) -> str:
        return pill(obj.status, obj.get_status_display())

    @admin.display(description="prize pool", ordering="prize_pool")
    def prize_pool_col(self, obj: Challenge) -> str:
        return amount_html(obj.prize_pool)

    @admin.display(description="paid", ordering="prize_paid")
    def prize_paid_col(self, obj: Challenge) -> str:
        return amount_html(obj.prize_paid)

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
    """Every submission; the review queue (``challenges/admin_queues.py``) is where the
    waiting ones are decided. "Review" opens the full review form."""

    list_display = ("title", "challenge", "member", "status_pill", "score", "rank", "submitted_at", "review_link")
    list_filter = ("status", "challenge")
    search_fields = ("title", "user__email", "challenge__slug")
    list_select_related = ("challenge", "user")
    ordering = ("-submitted_at", "-pk")
    readonly_fields = [f.name for f in Submission._meta.fields]

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        self.review_queue = SubmissionQueueAdmin(model, admin_site)

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm(REVIEW_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_review": request.user.has_perm(REVIEW_PERMISSION)}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="member")
    def member(self, obj: Submission) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))

    @admin.display(description="status", ordering="status")
    def status_pill(self, obj: Submission) -> str:
        return pill(obj.status, obj.get_status_display())

    @admin.display(description="review")
    def review_link(self, obj: Submission) -> str:
        if obj.status in (SubmissionStatus.WITHDRAWN, SubmissionStatus.WINNER):
            return "—"
        return format_html('<a href="{}">Review</a>', reverse("admin:challenges_submission_review", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.review_queue.changelist_view), name="challenges_submission_review_queue"),
            path(
                "<int:pk>/quick-review/",
                view(lambda request, pk: quick_review_view(self, request, pk)),
                name="challenges_submission_quick_review",
            ),
            path("<int:pk>/review/", view(self.review_view), name="challenges_submission_review"),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        submission = get_object_or_404(Submission.objects.select_related("challenge", "user"), pk=pk)
        back = safe_next_url(request, reverse(QUEUE_URL_NAME))
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
                return HttpResponseRedirect(back)
        intro = f"{submission.challenge} — {submission.user.email}\n\n{submission.content}\n{submission.link}"
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
class RewardAdmin(CsvExportMixin, ReadOnlyAdmin):
    list_display = (
        "challenge",
        "rank",
        "amount_col",
        "member",
        "submission",
        "transaction",
        "awarded_by",
        "awarded_at",
    )
    list_filter = ("challenge",)
    list_select_related = ("challenge", "submission", "wallet__user", "transaction", "awarded_by")
    export_columns = (
        ("id", "id"),
        ("challenge", "challenge__slug"),
        ("rank", "rank"),
        ("amount", "amount"),
        ("member_email", "wallet__user__email"),
        ("member_name", "wallet__user__display_name"),
        ("submission_id", "submission_id"),
        ("submission_title", "submission__title"),
        ("transaction_id", "transaction_id"),
        ("awarded_by", "awarded_by__email"),
        ("awarded_at", "awarded_at"),
    )

    @admin.display(description="amount", ordering="amount")
    def amount_col(self, obj: Reward) -> str:
        return amount_html(obj.amount, direction="credit")

    @admin.display(description="member")
    def member(self, obj: Reward) -> str:
        return member_html(obj.wallet.user, url=user_change_url(obj.wallet.user_id))


@admin.register(ChallengeEntry)
class ChallengeEntryAdmin(ReadOnlyAdmin):
    list_display = ("challenge", "member", "fee_transaction", "created_at")
    list_filter = ("challenge",)
    search_fields = ("user__email",)
    list_select_related = ("challenge", "user", "fee_transaction")

    @admin.display(description="member", ordering="user__email")
    def member(self, obj: ChallengeEntry) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))


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


# --- dashboard -----------------------------------------------------------------------------------


@register_tile("challenges.submissions_waiting", order=20, permissions=["challenges.view_submission"])
def submissions_tile(request: HttpRequest) -> Tile:
    summary = selectors.submissions_waiting_summary()
    return queue_tile(
        request,
        title="Submissions awaiting review",
        count=summary["count"],
        detail=f"oldest {timesince(summary['oldest'], depth=1)}" if summary["oldest"] else "",
        queue_url=reverse(QUEUE_URL_NAME),
        list_url=reverse("admin:challenges_submission_changelist") + "?status__exact=submitted",
        permission=REVIEW_PERMISSION,
    )


@register_chart("challenges.active", order=30, permissions=["challenges.view_challenge"])
def active_challenges_chart(start, days) -> Chart:
    counts = selectors.challenges_active_on(days=days, start=start)
    peak = max(counts, default=0)
    return Chart(
        title="Challenges open for submissions",
        days=days,
        series=[Series("Open challenges", counts)],
        summary=f"Between {min(counts, default=0)} and {peak} challenges open on each of the last {len(days)} days; "
        f"{counts[-1] if counts else 0} today.",
        url=reverse("admin:challenges_challenge_changelist") + "?status__exact=scheduled",
    )
