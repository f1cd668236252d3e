"""The embedded default provider: offline, deterministic algorithms.

- ``embed``: MinHash signatures (datasketch, 128 permutations, fixed seed) of each
  text's word 3-shingles; two signatures' share of equal slots estimates the Jaccard
  similarity of the texts (near-duplicates score high, rewordings do not).
- ``complete("summarise", {"text"})``: an extractive TextRank summary.
- ``complete("feedback", {"draft", "brief"})``: rubric keyword coverage of the draft
  against the brief, in words a member reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from datasketch import MinHash

from ai.providers import text as algorithms
from ai.providers.base import TASK_FEEDBACK, TASK_SUMMARISE, Completion, check_task

NUM_PERM = 128
SEED = 1
SHINGLE = 3


class LocalProvider:
    name = "local"
    metric = "minhash"

    @property
    def model_name(self) -> str:
        return f"minhash-{NUM_PERM}-w{SHINGLE}"

    @property
    def dimensions(self) -> int:
        return NUM_PERM

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            sketch = MinHash(num_perm=NUM_PERM, seed=SEED)
            for shingle in sorted(algorithms.shingles(text, SHINGLE)):
                sketch.update(shingle.encode("utf-8"))
            rows.append(np.asarray(sketch.hashvalues, dtype=np.uint64))
        if not rows:
            return np.zeros((0, NUM_PERM), dtype=np.uint64)
        return np.vstack(rows)

    def complete(self, task: str, inputs: Mapping[str, str]) -> Completion:
        if task == TASK_SUMMARISE:
            check_task(task, inputs, ["text"])
            text = str(inputs["text"])
            chosen = algorithms.textrank(text, limit=3)
            summary = " ".join(chosen)
            return Completion(
                text=summary,
                model="textrank-bm25",
                input_units=len(algorithms.words(text)),
                output_units=len(algorithms.words(summary)),
                data={"sentences": chosen},
            )
        check_task(task, inputs, ["draft", "brief"])
        if task != TASK_FEEDBACK:  # pragma: no cover - check_task refuses unknown tasks
            raise AssertionError(task)
        draft, brief = str(inputs["draft"]), str(inputs["brief"])
        rubric = algorithms.rubric_coverage(draft=draft, brief=brief)
        covered, missing = rubric["covered"], rubric["missing"]
        lines = [f"Your draft covers {len(covered)} of the {len(covered) + len(missing)} key words of the brief."]
        if covered:
            lines.append("Covered: " + ", ".join(covered) + ".")
        if missing:
            lines.append("Not yet addressed: " + ", ".join(missing) + ".")
        text = " ".join(lines)
        return Completion(
            text=text,
            model="rubric-coverage",
            input_units=len(algorithms.words(draft)) + len(algorithms.words(brief)),
            output_units=len(algorithms.words(text)),
            data=dict(rubric),
        )
