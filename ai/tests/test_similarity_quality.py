"""Measured quality of near-duplicate detection on the labelled set the tests build
(ai/tests/labelled_set.py): precision and recall at the chosen thresholds, the numbers
docs/ai.md reports. The semantic model runs once on the whole set (one session load)."""

from __future__ import annotations

import numpy as np

from ai.models import VectorMetric
from ai.providers import LocalProvider
from ai.services import DEFAULT_THRESHOLDS
from ai.tests.labelled_set import build, precision_recall
from ai.vectors import scores


def _measure(provider) -> tuple[float, float]:
    pairs = build()
    left = provider.embed([p.left for p in pairs])
    right = provider.embed([p.right for p in pairs])
    values = [float(scores(left[i], right[i : i + 1], provider.metric)[0]) for i in range(len(pairs))]
    threshold = DEFAULT_THRESHOLDS[VectorMetric(provider.metric)]
    return precision_recall([v >= threshold for v in values], [p.duplicate for p in pairs])


def test_the_labelled_set_has_positives_and_hard_negatives():
    pairs = build()
    assert len(pairs) == 120
    assert sum(p.duplicate for p in pairs) == 40


def test_local_minhash_precision_and_recall_at_its_threshold():
    precision, recall = _measure(LocalProvider())
    print(f"local minhash @ {DEFAULT_THRESHOLDS[VectorMetric.MINHASH]}: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.95


def test_semantic_precision_and_recall_at_its_threshold(semantic_provider):
    precision, recall = _measure(semantic_provider)
    print(f"semantic cosine @ {DEFAULT_THRESHOLDS[VectorMetric.COSINE]}: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.95 and recall >= 0.85
    cat, kitten, revenue = semantic_provider.embed(
        ["The cat sits on the mat.", "A kitten is resting on a rug.", "Quarterly revenue rose by ten percent."]
    )
    assert cat.shape == (384,) and cat.dtype == np.float32
    assert abs(float(np.linalg.norm(cat)) - 1.0) < 1e-4
    assert float(cat @ kitten) > float(cat @ revenue) + 0.3  # meaning, not shared words
