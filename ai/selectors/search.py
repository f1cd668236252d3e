"""Search across challenges, proposals and public submissions.

Who sees what (the same rules as the list pages): public, published challenges (not
drafts, not unlisted ones); proposals that are not drafts; accepted and winning
submissions of those challenges, plus the viewer's own submissions. Nothing else ever
reaches the ranking: every candidate comes from these querysets.

Ranking: lexical candidates (each query word matched in the database, at most
``OGC_AI_SEARCH_CANDIDATES`` per kind) ranked by BM25 (rank-bm25); when the provider's
vectors are dense (``semantic`` or ``openai_compatible``), the query's embedding is
also compared by cosine with every stored vector of the visible objects (brute force,
numpy) and the two rankings are fused by reciprocal rank (k = 60). A provider failure
falls back to the lexical ranking.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from rank_bm25 import BM25Okapi

from ai.models import Embedding, SourceKind, VectorMetric
from ai.providers import ProviderError, get_provider
from ai.providers.text import content_words, words
from ai.vectors import scores, top_k, unpack

if TYPE_CHECKING:
    from accounts.models import User

RRF_K = 60
VECTOR_TOP = 100
MIN_COSINE = 0.25
MAX_TERMS = 8
EXCERPT = 220


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    title: str
    url: str
    excerpt: str
    score: float


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str  # "lexical" | "hybrid"
    hits: list[SearchHit]


def searchable_challenges() -> QuerySet[Any]:
    from challenges.models import Challenge, ChallengeStatus, Visibility

    return Challenge.objects.filter(visibility=Visibility.PUBLIC).exclude(status=ChallengeStatus.DRAFT)


def searchable_proposals() -> QuerySet[Any]:
    from governance.models import Proposal, ProposalStatus

    return Proposal.objects.exclude(status=ProposalStatus.DRAFT)


def searchable_submissions(*, user: User | None) -> QuerySet[Any]:
    from challenges.models import RANKED_SUBMISSION_STATUSES, Submission

    public = Q(status__in=RANKED_SUBMISSION_STATUSES, challenge__in=searchable_challenges())
    if user is not None and getattr(user, "is_authenticated", False):
        public |= Q(user_id=user.pk)
    return Submission.objects.filter(public).select_related("challenge")


def _querysets(user: User | None, kinds: list[str]) -> dict[str, QuerySet[Any]]:
    every: dict[str, Callable[[], QuerySet[Any]]] = {
        SourceKind.CHALLENGE: searchable_challenges,
        SourceKind.PROPOSAL: searchable_proposals,
        SourceKind.SUBMISSION: functools.partial(searchable_submissions, user=user),
    }
    return {kind: every[SourceKind(kind)]() for kind in kinds}


TEXT_FIELDS = {
    SourceKind.CHALLENGE: ("title", "description"),
    SourceKind.PROPOSAL: ("title", "body"),
    SourceKind.SUBMISSION: ("title", "content"),
}


def _text(kind: str, obj: Any) -> tuple[str, str]:
    title_field, body_field = TEXT_FIELDS[SourceKind(kind)]
    return getattr(obj, title_field), getattr(obj, body_field) or ""


def _url(kind: str, obj: Any) -> str:
    if kind == SourceKind.CHALLENGE:
        return reverse("challenge_detail", kwargs={"slug": obj.slug})
    if kind == SourceKind.PROPOSAL:
        return reverse("governance_detail", kwargs={"pk": obj.pk})
    return reverse("challenge_leaderboard", kwargs={"slug": obj.challenge.slug})


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _lexical(terms: list[str], querysets: dict[str, QuerySet[Any]]) -> tuple[dict, list[tuple[str, int]]]:
    """Candidates matching any term, ranked by BM25 over title + body."""
    objects: dict[tuple[str, int], Any] = {}
    for kind, queryset in querysets.items():
        title_field, body_field = TEXT_FIELDS[SourceKind(kind)]
        match = Q()
        for term in terms:
            match |= Q(**{f"{title_field}__icontains": term}) | Q(**{f"{body_field}__icontains": term})
        for obj in queryset.filter(match).order_by("-pk")[: settings.OGC_AI_SEARCH_CANDIDATES]:
            objects[(kind, obj.pk)] = obj
    if not objects:
        return objects, []
    keys = list(objects)
    corpus = [words(" ".join(_text(kind, objects[(kind, pk)]))) or ["_"] for kind, pk in keys]
    values = BM25Okapi(corpus).get_scores(terms)
    ranked = sorted((i for i in range(len(keys)) if values[i] > 0), key=lambda i: (-values[i], keys[i]))
    if not ranked:  # every candidate holds every term (BM25's idf is then 0): keep the database's matches
        ranked = list(range(len(keys)))
    return objects, [keys[i] for i in ranked]


def _vector(query: str, querysets: dict[str, QuerySet[Any]]) -> list[tuple[str, int]] | None:
    """Visible objects nearest to the query's embedding; None when the provider's
    vectors are not dense or it failed (lexical ranking only)."""
    provider = get_provider()
    if provider.metric != VectorMetric.COSINE:
        return None
    try:
        target = provider.embed([query])[0]
    except ProviderError:
        return None
    rows: list[tuple[str, int, Any, str, int]] = []
    for kind, queryset in querysets.items():
        rows.extend(
            (kind, *row)
            for row in Embedding.objects.filter(
                kind=kind, model_name=provider.model_name, object_id__in=queryset.values("pk")
            ).values_list("object_id", "vector", "metric", "dimensions")
        )
    if not rows:
        return []
    import numpy as np

    matrix = np.vstack([unpack(blob, metric, dims) for _kind, _pk, blob, metric, dims in rows])
    values = scores(target, matrix, VectorMetric.COSINE)
    return [(rows[i][0], rows[i][1]) for i in top_k(values, VECTOR_TOP) if values[i] >= MIN_COSINE]


def search(*, query: str, user: User | None, kinds: list[str] | None = None, limit: int = 20) -> SearchResults:
    """The visible objects best matching ``query``, best first (see the module doc)."""
    kinds = kinds or list(SourceKind.values)
    querysets = _querysets(user, kinds)
    terms = list(dict.fromkeys(content_words(query) or words(query)))[:MAX_TERMS]
    objects, lexical = _lexical(terms, querysets) if terms else ({}, [])
    vector = _vector(query, querysets) if settings.OGC_AI_SEARCH_ENABLED else None
    fused: dict[tuple[str, int], float] = {}
    for ranking in (lexical, vector or []):
        for position, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (RRF_K + position)
    missing = [key for key in fused if key not in objects]
    for kind in {k for k, _ in missing}:
        ids = [pk for k, pk in missing if k == kind]
        for obj in querysets[kind].filter(pk__in=ids):
            objects[(kind, obj.pk)] = obj
    best = sorted((key for key in fused if key in objects), key=lambda key: (-fused[key], key))[:limit]
    hits = []
    for kind, pk in best:
        obj = objects[(kind, pk)]
        title, body = _text(kind, obj)
        hits.append(
            SearchHit(
                kind=kind,
                object_id=pk,
                title=title,
                url=_url(kind, obj),
                excerpt=_excerpt(body),
                score=fused[(kind, pk)],
            )
        )
    return SearchResults(query=query, mode="lexical" if vector is None else "hybrid", hits=hits)
