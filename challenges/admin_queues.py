"""The submission review queue of the operator console (moderators).

``/admin/challenges/submission/queue/``: submissions waiting for review, oldest first,
each with its challenge, member and an excerpt, and in the row itself a score box with
"Accept" and "Reject" (one click each, through ``challenges.services.submission_review``,
which writes the audit entry and notifies the member). "Review…" opens the full form
(with a note to the member). Bulk actions accept (with one score) or reject the
selected rows, each in its own transaction, refusals reported per row
(``core.admin.run_admin_action``). Needs ``challenges.review_submission``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from challenges import selectors, services
from challenges.models import Submission, SubmissionStatus
from core.admin import (
    ConsoleAdminMixin,
    ReadOnlyAdminMixin,
    action_form_page,
    member_html,
    row_url,
    run_admin_action,
    safe_next_url,
    user_change_url,
    when_html,
)

REVIEW_PERMISSION = "challenges.review_submission"
QUEUE_URL_NAME = "admin:challenges_submission_review_queue"
EXCERPT = 160


class ScoreForm(forms.Form):
    score = forms.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, help_text="Given to every selected submission."
    )


class SubmissionQueueAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("submitted", "challenge_col", "member", "entry", "decide")
    list_display_links = None
    list_select_related = ("challenge", "user")
    list_filter = ("challenge",)
    search_fields = ("title", "user__email")
    show_facets = admin.ShowFacets.NEVER
    ordering = ("submitted_at", "pk")
    show_full_result_count = False
    actions = ["accept_selected", "reject_selected"]
    change_list_template = "admin/challenges/submission/review_queue.html"

    def get_queryset(self, request: HttpRequest):
        return selectors.submission_review_queue()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def annotate_page(self, request: HttpRequest, rows: list[Submission]) -> None:
        here = request.get_full_path()
        for row in rows:
            row.console_next = here

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        summary = selectors.submissions_waiting_summary()
        extra_context = {**(extra_context or {}), "title": "Submissions awaiting review", "summary": summary}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, row: Submission) -> str:
        return format_html("#{}<br>{}", row.pk, when_html(row.submitted_at))

    @admin.display(description="challenge")
    def challenge_col(self, row: Submission) -> str:
        return format_html("{}<br>{}", row.challenge.title, row.challenge.phase)

    @admin.display(description="member")
    def member(self, row: Submission) -> str:
        return member_html(row.user, url=user_change_url(row.user_id))

    @admin.display(description="submission")
    def entry(self, row: Submission) -> str:
        excerpt = (row.content or "").strip()
        if len(excerpt) > EXCERPT:
            excerpt = excerpt[: EXCERPT - 1] + "…"
        link = format_html('<br><a href="{}" rel="noopener noreferrer">{}</a>', row.link, row.link) if row.link else ""
        return format_html('<strong>{}</strong><br><span class="ogc-muted">{}</span>{}', row.title, excerpt, link)

    @admin.display(description="review")
    def decide(self, row: Submission) -> str:
        url = row_url("admin:challenges_submission_quick_review", row.pk)
        full = row_url("admin:challenges_submission_review", row.pk)
        next_url = getattr(row, "console_next", "")
        return format_html(
            '<div class="ogc-row-actions">'
            '<label class="visually-hidden" for="score-{pk}">Score for “{title}”</label>'
            '<input type="text" inputmode="decimal" id="score-{pk}" name="score-{pk}" placeholder="score" autocomplete="off">'
            '<button type="submit" class="ogc-approve" formaction="{accept}">Accept</button>'
            '<button type="submit" class="ogc-reject" formaction="{reject}">Reject</button>'
            '<a href="{full}?{back}">Review…</a></div>',
            pk=row.pk,
            title=row.title,
            accept=f"{url}?{urlencode({'decision': SubmissionStatus.ACCEPTED, 'next': next_url})}",
            reject=f"{url}?{urlencode({'decision': SubmissionStatus.REJECTED, 'next': next_url})}",
            full=full,
            back=urlencode({"next": next_url}),
        )

    def _review(self, request: HttpRequest, queryset, *, decision: str, score: Any = None) -> None:
        run_admin_action(
            self,
            request,
            queryset.select_related("user").order_by("pk"),
            operation=lambda row: (
                services.submission_review(reviewer=request.user, submission_id=row.pk, decision=decision, score=score)
                and None
            ),
            label=lambda row: f"“{row.title}” ({row.user.email})",
            success=lambda n: f"{n} submission(s) {decision}.",
        )

    @admin.action(description="Accept selected submissions (with a score)…", permissions=["review"])
    def accept_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = ScoreForm(request.POST if "score" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._review(request, queryset, decision=SubmissionStatus.ACCEPTED, score=form.cleaned_data["score"])
            return None
        return action_form_page(
            self,
            request,
            template="admin/challenges/submission/bulk_review.html",
            title="Accept submissions",
            form=form,
            rows=queryset.select_related("user", "challenge"),
            action_name="accept_selected",
            back_url=reverse(QUEUE_URL_NAME),
            intro="Each selected submission is accepted with this score; the members are notified.",
            submit_label="Accept",
        )

    @admin.action(description="Reject selected submissions", permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset) -> None:
        self._review(request, queryset, decision=SubmissionStatus.REJECTED)


def quick_review_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """POST from the queue's row: accept with the row's score, or reject."""
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    submission = get_object_or_404(Submission.objects.select_related("user"), pk=pk)
    decision = request.GET.get("decision", "")
    score = request.POST.get(f"score-{pk}", "").strip() or None
    verb = {"accepted": "accepted", "rejected": "rejected"}.get(decision, decision)
    run_admin_action(
        model_admin,
        request,
        [submission],
        operation=lambda row: (
            services.submission_review(reviewer=request.user, submission_id=row.pk, decision=decision, score=score)
            and None
        ),
        label=lambda row: f"“{row.title}” ({row.user.email})",
        success=lambda n: (
            f"“{submission.title}” {verb}" + (f" with a score of {score}." if score and decision == "accepted" else ".")
        ),
    )
    return HttpResponseRedirect(safe_next_url(request, reverse(QUEUE_URL_NAME)))
