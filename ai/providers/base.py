"""The one provider interface of the AI segment, and its errors.

A provider turns texts into vectors (``embed``) and answers a named task
(``complete``). ``metric`` says how its vectors compare: ``cosine`` for dense float32
embeddings, ``minhash`` for the local provider's MinHash signatures (uint64; the share
of equal slots estimates the Jaccard similarity of the texts' word shingles).

``complete(task, inputs)`` returns the text and the units it consumed
(``input_units``/``output_units``: tokens for an HTTP model, words for the local
algorithms) and the model that answered: what the paid assistant (``ai_requests``,
issue #18 part 4) will price and record. Tasks: ``summarise`` (inputs ``text``) and
``feedback`` (inputs ``draft`` and ``brief``). Inputs are data: a provider never reads
instructions from them (docs/ai.md, "Prompt injection").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

TASK_SUMMARISE = "summarise"
TASK_FEEDBACK = "feedback"
TASKS = (TASK_SUMMARISE, TASK_FEEDBACK)


class ProviderError(Exception):
    """The provider could not answer (timeout, refused, bad reply, circuit open)."""

    def __init__(self, message: str, *, code: str = "provider_error") -> None:
        super().__init__(message)
        self.code = code


class ProviderDisabledError(ProviderError):
    """The provider is not configured to receive content (no data leaves the platform)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="provider_disabled")


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    input_units: int
    output_units: int
    data: dict[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    name: str
    metric: str  # "cosine" | "minhash"

    @property
    def model_name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text: float32 (cosine, L2-normalised) or uint64 (minhash)."""
        ...

    def complete(self, task: str, inputs: Mapping[str, str]) -> Completion: ...


def check_task(task: str, inputs: Mapping[str, str], required: Sequence[str]) -> None:
    if task not in TASKS:
        raise ProviderError(f"Unknown task {task!r}.", code="unknown_task")
    missing = [name for name in required if not str(inputs.get(name) or "").strip()]
    if missing:
        raise ProviderError(f"Missing inputs: {', '.join(missing)}.", code="missing_inputs")
