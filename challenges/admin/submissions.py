"""Submissions (every one, with the full review form; the review queue is
``challenges/admin_queues.py``), rewards (with a CSV export) and entries, read-only
but for the review. With the dashboard tile of submissions awaiting review."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from challenges import selectors, services
from challenges.admin.base import ReadOnlyAdmin, _render_form
from challenges.admin_queues import QUEUE_URL_NAME, REVIEW_PERMISSION, SubmissionQueueAdmin, quick_review_view
from challenges.forms import ReviewForm
from challenges.models import ChallengeEntry, Reward, Submission, SubmissionStatus
from core.admin import CsvExportMixin, amount_html, member_html, pill, safe_next_url, user_change_url
from core.admin_site import Tile, queue_tile, register_tile
from core.exceptions import ApplicationError


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
