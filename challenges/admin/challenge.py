"""Challenges: created and edited through ``challenge_create``/``challenge_update``
(the form writes in ``clean()``), moved through their statuses only by the actions
(publish, close, judge, pay, archive), each a service call with its audit entry.
With the dashboard chart of open challenges."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from challenges import selectors, services
from challenges.models import Challenge
from core.admin import ConsoleAdminMixin, amount_html, pill, run_admin_action
from core.admin_site import Chart, Series, register_chart
from core.amounts import AmountFormField, exact_sum, format_amount
from core.exceptions import ApplicationError


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
