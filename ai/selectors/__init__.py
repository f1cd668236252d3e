"""The AI segment's read layer."""

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
    "SearchHit",
    "SearchResults",
    "analyse_submissions_allowed",
    "flag_list",
    "flags_for_submissions",
    "search",
    "searchable_challenges",
    "searchable_proposals",
    "searchable_submissions",
]
