"""Pages of the paid assistant: the cost first (estimate and confirm), then the answer;
the member's history with costs. The proposal page and the submission form link here
(their panels are plain links and a ``formaction`` button: governance and challenges
know nothing of the AI segment)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ai import selectors, services
from ai.models import AIFeature
from core.exceptions import ApplicationError, NotFoundError


def _found(lookup: Any, **kwargs: Any) -> Any:
    try:
        return lookup(**kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class DraftForm(forms.Form):
    draft = forms.CharField(
        label=_("Your draft"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.OGC_AI_MAX_INPUT_CHARS,
        help_text=_("Up to %(max)d characters. It is read to give feedback and deleted once the answer is ready.")
        % {"max": settings.OGC_AI_MAX_INPUT_CHARS},
        error_messages={"required": _("Write your draft first."), "max_length": _("Your draft is too long.")},
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "ai/ask.html", context, status=status)


def _create(request: HttpRequest, token: str, **target: Any) -> HttpResponse:
    created = services.request_create(user=request.user, idempotency_key=f"page:{token}", **target)
    return redirect("ai_request_detail", pk=created.pk)


@login_required
@require_http_methods(["GET", "POST"])
def summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what a summary of the proposal costs; POST (the confirm button): ask."""
    target = {"feature": AIFeature.SUMMARY, "proposal_id": pk}
    context: dict[str, Any] = {"feature": AIFeature.SUMMARY}
    try:
        context["proposal"] = _found(selectors.proposal_for_assistant, proposal_id=pk, user=request.user)
        if request.method == "POST":
            form = ConfirmForm(request.POST)
            if form.is_valid():
                return _create(request, form.cleaned_data["token"], **target)
        context["estimate"] = selectors.request_estimate(user=request.user, **target)
    except ApplicationError as exc:
        context["error"] = exc.message
        return _render(request, context, status=exc.status_code)
    context["form"] = ConfirmForm(initial={"token": uuid.uuid4().hex})
    return _render(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_page(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: a box for the draft. POST from the submission form's "Get feedback" button
    or this page (``draft``/``content``): the cost; POST with ``confirm``: ask."""
    challenge = _found(selectors.challenge_for_assistant, slug=slug)
    context: dict[str, Any] = {"feature": AIFeature.FEEDBACK, "challenge": challenge}
    if request.method == "GET":
        context["draft_form"] = DraftForm()
        return _render(request, context)
    data = request.POST.copy()
    if "draft" not in data:
        data["draft"] = data.get("content", "")  # from the submission form
    form = DraftForm(data)
    if not form.is_valid():
        context["draft_form"] = form
        return _render(request, context, status=400)
    target = {"feature": AIFeature.FEEDBACK, "challenge": slug, "draft": form.cleaned_data["draft"]}
    try:
        if data.get("confirm") and form.cleaned_data["token"]:
            return _create(request, form.cleaned_data["token"], **target)
        context["estimate"] = selectors.request_estimate(user=request.user, **target)
    except ApplicationError as exc:
        context["error"] = exc.message
        context["draft_form"] = form
        return _render(request, context, status=exc.status_code)
    context["draft_form"] = DraftForm(initial={"draft": form.cleaned_data["draft"], "token": uuid.uuid4().hex})
    context["confirming"] = True
    return _render(request, context)


@login_required
def history_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.request_list_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request, "ai/history.html", {"page": page, "credits_left": selectors.free_credits_left(user=request.user)}
    )


@login_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = _found(selectors.request_get_for_user, user=request.user, request_id=pk)
    return render(request, "ai/request_detail.html", {"ai_request": found})
