"""The AI segment's write layer (docs/ai.md)."""

from ai.services.assistant import request_create, request_fail, request_run, requests_reconcile
from ai.services.embeddings import embedding_store, embeddings_refresh, source_text, text_hash
from ai.services.pipeline import embeddings_reconcile, on_submission_event
from ai.services.preferences import preference_set
from ai.services.similarity import (
    DEFAULT_THRESHOLDS,
    flags_record_decision,
    member_allows_analysis,
    similarity_threshold,
    submission_analyse,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "embedding_store",
    "embeddings_reconcile",
    "embeddings_refresh",
    "flags_record_decision",
    "member_allows_analysis",
    "on_submission_event",
    "preference_set",
    "request_create",
    "request_fail",
    "request_run",
    "requests_reconcile",
    "similarity_threshold",
    "source_text",
    "submission_analyse",
    "text_hash",
]
