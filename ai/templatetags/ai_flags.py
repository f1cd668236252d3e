"""``{% load ai_flags %}``: similarity flags where moderators decide.

``{% similarity_panel rows %}`` (the review queue: ``rows`` is the page's submissions)
and ``{% similarity_notes submission %}`` (one submission's admin page) show each flag
as "92% similar to #1234 (by …)" with both submissions linked to their admin pages.
Template composition: challenges' templates load this library; its Python imports
nothing of the AI segment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ai.models import SimilarityFlag
from ai.selectors import flags_for_submissions
from core.admin import change_url

register = template.Library()


def _submission_link(submission: Any) -> SafeString:
    url = change_url("challenges", "submission", submission.pk) or "#"
    return format_html('<a href="{}" title="{}">#{}</a>', url, submission.title, submission.pk)


def flag_html(flag: SimilarityFlag, *, with_subject: bool = False) -> SafeString:
    scope = "same challenge" if flag.scope == "challenge" else f"in “{flag.matched.challenge.title}”"
    subject = format_html("{} is ", _submission_link(flag.submission)) if with_subject else ""
    return format_html(
        '<span class="ogc-similarity" data-testid="similarity-flag">{}{}% similar to {} ({}; by {}, {})</span>',
        subject,
        flag.percent,
        _submission_link(flag.matched),
        scope,
        flag.provider,
        flag.model_version,
    )


@register.simple_tag
def similarity_panel(rows: Iterable[Any]) -> SafeString | str:
    rows = list(rows)
    grouped = flags_for_submissions(submission_ids=[row.pk for row in rows])
    if not grouped:
        return ""
    by_id = {row.pk: row for row in rows}
    items = []
    for submission_id, flags in grouped.items():
        for flag in flags:
            flag.submission = by_id[submission_id]
            items.append((flag_html(flag, with_subject=True),))
    return format_html(
        '<div class="ogc-similarity-panel" data-testid="similarity-panel"><p><strong>Similar submissions</strong> '
        "(a suggestion: you decide; the decision you make is recorded with it)</p><ul>{}</ul></div>",
        format_html_join("", "<li>{}</li>", items),
    )


@register.simple_tag
def similarity_notes(submission: Any) -> SafeString | str:
    if submission is None:
        return ""
    flags = flags_for_submissions(submission_ids=[submission.pk]).get(submission.pk, [])
    if not flags:
        return ""
    return format_html(
        '<div class="ogc-similarity-panel" data-testid="similarity-notes"><ul>{}</ul></div>',
        format_html_join("", "<li>{}</li>", ((flag_html(flag),) for flag in flags)),
    )


@register.simple_tag
def assistant_enabled(feature: str) -> bool:
    """``{% assistant_enabled "draft_feedback" as on %}``: is the paid assistant's
    feature turned on (``OGC_AI_ASSISTANT_*_ENABLED``)? The proposal page and the
    submission form show their assistant panel only then."""
    from ai.selectors import feature_enabled

    return feature_enabled(feature)
