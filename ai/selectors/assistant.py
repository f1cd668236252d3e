"""Reads of the paid assistant: what a request reads (its inputs), what it will cost
(the estimate, the member's free credits) and the member's requests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ai import pricing
from ai.models import AIFeature, AIRequest, RequestStatus
from ai.providers import TASK_FEEDBACK, TASK_SUMMARISE
from ai.selectors.search import searchable_challenges, searchable_proposals
from core.amounts import ZERO
from core.exceptions import ApplicationError, ConflictError, NotFoundError

if TYPE_CHECKING:
    from accounts.models import User

#: The plan feature code that grants monthly free credits.
FREE_CREDITS_FEATURE = "ai_credits"
TASK_OF: dict[str, str] = {AIFeature.SUMMARY: TASK_SUMMARISE, AIFeature.FEEDBACK: TASK_FEEDBACK}
SWITCHES = {
    AIFeature.SUMMARY: "OGC_AI_ASSISTANT_SUMMARY_ENABLED",
    AIFeature.FEEDBACK: "OGC_AI_ASSISTANT_FEEDBACK_ENABLED",
}


def feature_enabled(feature: str) -> bool:
    return bool(getattr(settings, SWITCHES[AIFeature(feature)]))


def draft_limit_error(*, field: str = "draft") -> ApplicationError:
    return ApplicationError(
        _("Write your draft first: 1 to %(max)d characters.") % {"max": settings.OGC_AI_MAX_INPUT_CHARS},
        code="invalid_draft",
        field=field,
        status_code=400,
    )


def clean_draft(draft: str | None) -> str:
    """The member's draft, trimmed: 1 to ``OGC_AI_MAX_INPUT_CHARS`` characters (400 otherwise)."""
    text = (draft or "").strip()
    if not text or len(text) > settings.OGC_AI_MAX_INPUT_CHARS:
        raise draft_limit_error()
    return text


def proposal_for_assistant(*, proposal_id: int, user: User) -> Any:
    """A proposal the member may read (published, or their own draft); 404 otherwise."""
    from governance.models import Proposal

    visible = searchable_proposals() | Proposal.objects.filter(author_id=user.pk)
    proposal = visible.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFoundError(_("Proposal not found."), code="proposal_not_found", field="proposal_id")
    return proposal


def challenge_for_assistant(*, slug: str) -> Any:
    challenge = searchable_challenges().filter(slug=slug).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."), code="challenge_not_found", field="challenge")
    return challenge


def _discussion(proposal: Any) -> str:
    """The proposal's discussion as it stands: its votes (governance has no comment
    thread), one plain sentence per choice."""
    from governance.models import Vote

    rows = Vote.objects.filter(proposal=proposal).values("choice").annotate(weight=Sum("weight")).order_by("choice")
    counts = {row["choice"]: row["weight"] for row in rows}
    if not counts:
        return "No votes yet."
    parts = [f"{choice}: {counts.get(choice, ZERO):f} OGC of staked weight" for choice in proposal.choices]
    return "Votes so far. " + "; ".join(parts) + "."


def proposal_text(proposal: Any) -> str:
    """What a summary reads: title, body and discussion, cut at ``OGC_AI_MAX_INPUT_CHARS``."""
    text = f"{proposal.title}.\n\n{proposal.body}\n\n{_discussion(proposal)}"
    return text[: settings.OGC_AI_MAX_INPUT_CHARS]


def request_inputs(
    *, feature: str, proposal: Any = None, challenge: Any = None, draft: str = ""
) -> tuple[str, dict[str, str]]:
    """``(task, inputs)`` as the provider gets them: data, never instructions."""
    if feature == AIFeature.SUMMARY:
        return TASK_SUMMARISE, {"text": proposal_text(proposal)}
    brief = f"{challenge.title}.\n\n{challenge.description}"[: settings.OGC_AI_MAX_INPUT_CHARS]
    return TASK_FEEDBACK, {"draft": draft, "brief": brief}


def prompt_hash(task: str, inputs: dict[str, str]) -> str:
    canonical = json.dumps({"task": task, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def free_credits_left(*, user: User, now: datetime | None = None) -> Decimal:
    """OGC of free use left this calendar month (UTC): the plan's allowance less what
    this month's requests reserved or used (a failed request gives its share back)."""
    from subscriptions.selectors import user_has_feature

    now = now or timezone.now()
    if not user_has_feature(user=user, feature=FREE_CREDITS_FEATURE, now=now):
        return ZERO
    used = AIRequest.objects.filter(user_id=user.pk, created_at__gte=_month_start(now)).aggregate(
        total=Sum("credit_used")
    )["total"]
    return max(ZERO, Decimal(settings.OGC_AI_MONTHLY_FREE_CREDITS) - (used or ZERO))


@dataclass(frozen=True)
class Estimate:
    feature: str
    provider: str
    input_units: int
    output_units: int
    estimated_cost: Decimal
    free_credit: Decimal
    to_hold: Decimal
    free_credits_left: Decimal


def estimate_for(*, user: User, feature: str, provider: str, inputs: dict[str, str]) -> Estimate:
    units_in, units_out, cost = pricing.estimate(provider, inputs)
    credits = free_credits_left(user=user)
    free = min(credits, cost)
    return Estimate(feature, provider, units_in, units_out, cost, free, cost - free, credits)


def request_estimate(
    *,
    user: User,
    feature: str,
    proposal_id: int | None = None,
    challenge: str | None = None,
    draft: str | None = None,
) -> Estimate:
    """What a request would cost now (nothing is held)."""
    if not feature_enabled(feature):
        raise ConflictError(_("This assistant is turned off."), code="feature_disabled", field="feature")
    resolved = resolve_target(user=user, feature=feature, proposal_id=proposal_id, challenge=challenge, draft=draft)
    inputs = request_inputs(feature=feature, **resolved)[1]
    return estimate_for(user=user, feature=feature, provider=settings.OGC_AI_PROVIDER, inputs=inputs)


def _rule(message: str, *, field: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, field=field)  # 422: schema-valid, a rule refuses


def resolve_target(
    *, user: User, feature: str, proposal_id: int | None, challenge: str | None, draft: str | None
) -> dict[str, Any]:
    """The objects a request reads, checked: a visible proposal, or a visible challenge
    and a draft of 1 to ``OGC_AI_MAX_INPUT_CHARS`` characters (400 otherwise). A field
    the feature needs but lacks, or one it does not use, is a 422."""
    if feature == AIFeature.SUMMARY:
        if challenge is not None or draft is not None:
            field = "challenge" if challenge is not None else "draft"
            raise _rule(_("A summary reads a proposal only."), field=field, code="not_for_feature")
        if proposal_id is None:
            raise _rule(_("Choose the proposal to summarise."), field="proposal_id", code="required")
        return {"proposal": proposal_for_assistant(proposal_id=proposal_id, user=user)}
    if proposal_id is not None:
        raise _rule(_("Feedback reads a challenge and your draft only."), field="proposal_id", code="not_for_feature")
    if not challenge:
        raise _rule(_("Choose the challenge your draft is for."), field="challenge", code="required")
    if draft is None:
        raise _rule(
            _("Write your draft first: 1 to %(max)d characters.") % {"max": settings.OGC_AI_MAX_INPUT_CHARS},
            field="draft",
            code="required",
        )
    return {"challenge": challenge_for_assistant(slug=challenge), "draft": clean_draft(draft)}


def request_list_for_user(*, user: User) -> QuerySet[AIRequest]:
    return AIRequest.objects.filter(user_id=user.pk).select_related("proposal", "challenge").order_by("-pk")


def request_get_for_user(*, user: User, request_id: int) -> AIRequest:
    found = request_list_for_user(user=user).filter(pk=request_id).first()
    if found is None:
        raise NotFoundError(_("Request not found."), code="not_found")
    return found


def requests_stale(*, now: datetime, stale_before: datetime) -> QuerySet[AIRequest]:
    """Requests a worker should have finished: running since before ``stale_before``
    (their worker died) or queued since then (their message was lost)."""
    return AIRequest.objects.filter(
        Q(status=RequestStatus.RUNNING, started_at__lt=stale_before)
        | Q(status=RequestStatus.QUEUED, created_at__lt=stale_before)
    ).order_by("pk")


def requests_summary() -> dict[str, dict[str, Any]]:
    """For the console: per status, how many requests and the OGC charged and credited."""
    rows = (
        AIRequest.objects.values("status")
        .annotate(count=Count("pk"), charged=Sum("final_cost"), credits=Sum("credit_used"))
        .order_by()
    )
    return {
        row["status"]: {"count": row["count"], "charged": row["charged"] or ZERO, "credits": row["credits"] or ZERO}
        for row in rows
    }
