"""The AI segment's read layer."""

from ai.selectors.assistant import (
    FREE_CREDITS_FEATURE,
    Estimate,
    challenge_for_assistant,
    feature_enabled,
    free_credits_left,
    proposal_for_assistant,
    request_estimate,
    request_get_for_user,
    request_list_for_user,
    requests_summary,
)
from ai.selectors.flags import analyse_submissions_allowed, flag_list, flags_for_submissions
from ai.selectors.search import (
    SearchHit,
    SearchResults,
    search,
    searchable_challenges,
    searchable_proposals,
    searchable_submissions,
)

__all__ = [
    "FREE_CREDITS_FEATURE",
    "Estimate",
    "SearchHit",
    "SearchResults",
    "analyse_submissions_allowed",
    "challenge_for_assistant",
    "feature_enabled",
    "flag_list",
    "flags_for_submissions",
    "free_credits_left",
    "proposal_for_assistant",
    "request_estimate",
    "request_get_for_user",
    "request_list_for_user",
    "requests_summary",
    "search",
    "searchable_challenges",
    "searchable_proposals",
    "searchable_submissions",
]
