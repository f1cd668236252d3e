"""Plain-text algorithms of the local provider: words, shingles, an extractive
TextRank summary (BM25 sentence similarity, PageRank by power iteration) and rubric
keyword coverage. Deterministic, offline, numpy and rank-bm25 only."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from rank_bm25 import BM25Okapi

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{2,}")

# A short English stop list (the platform's content is mostly English; Spanish words
# that would dominate a rubric are listed too).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "must",
        "may",
        "might",
        "shall",
        "one",
        "two",
        "three",
        "use",
        "using",
        "used",
        "make",
        "made",
        "get",
        "got",
        "via",
        "per",
        "etc",
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "y",
        "en",
        "que",
        "un",
        "una",
        "por",
        "con",
        "para",
        "es",
        "al",
        "lo",
        "se",
        "su",
        "sus",
    ]
)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text or "")]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()]


def shingles(text: str, size: int = 3) -> set[str]:
    """Word ``size``-grams of the lower-cased text (the whole text when shorter)."""
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in SENTENCE_END.split(text or "")]
    return [p for p in parts if words(p)]


def textrank(text: str, *, limit: int = 3, damping: float = 0.85) -> list[str]:
    """The ``limit`` most central sentences, in their original order (TextRank with
    BM25 similarity between sentences)."""
    found = sentences(text)
    if len(found) <= limit:
        return found
    corpus = [content_words(s) or words(s) for s in found]
    bm25 = BM25Okapi(corpus)
    weights = np.array([bm25.get_scores(query) for query in corpus], dtype=np.float64)
    np.fill_diagonal(weights, 0.0)
    weights = np.clip(weights, 0.0, None)
    sums = weights.sum(axis=1, keepdims=True)
    n = len(found)
    transition = np.divide(weights, sums, out=np.full_like(weights, 1.0 / n), where=sums > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        updated = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(updated - rank).sum() < 1e-9:
            rank = updated
            break
        rank = updated
    best = sorted(np.argsort(-rank, kind="stable")[:limit])
    return [found[i] for i in best]


def keywords(text: str, *, limit: int = 12) -> list[str]:
    """The brief's most frequent content words (ties: first seen first)."""
    counts = Counter(content_words(text))
    order = {w: i for i, w in reversed(list(enumerate(content_words(text))))}
    ranked = sorted(counts, key=lambda w: (-counts[w], order[w]))
    return ranked[:limit]


def rubric_coverage(*, draft: str, brief: str, limit: int = 12) -> dict[str, list[str] | float]:
    """Which of the brief's keywords the draft covers (a word counts when the draft
    holds it or a word sharing its first five letters: "solar"/"solar-powered",
    "evaluate"/"evaluation")."""
    wanted = keywords(brief, limit=limit)
    have = set(content_words(draft))
    stems = {w[:5] for w in have}
    covered = [w for w in wanted if w in have or w[:5] in stems]
    missing = [w for w in wanted if w not in covered]
    share = round(len(covered) / len(wanted), 4) if wanted else 1.0
    return {"covered": covered, "missing": missing, "coverage": share}
