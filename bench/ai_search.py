"""Brute-force vector search latency (docs/ai.md, "Search latency"): p50/p99 of one
query against 10,000 and 100,000 stored 384-dimension float32 vectors (the semantic
provider's size), for the numpy scoring alone (matrix in memory) and for the whole
step as ``ai.selectors.search`` runs it (unpack the BLOBs read from MariaDB, stack,
score, top-k), with the BLOBs as bytes in memory (the MariaDB read of 1.5 KB per
row comes on top: docs/ai.md).
Run: ``python -m bench ai_search`` (needs the database of `make bench`)."""

from __future__ import annotations

import time

import numpy as np

SIZES = (10_000, 100_000)
DIMENSIONS = 384
QUERIES = 50


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = np.sort(np.asarray(samples)) * 1000
    return float(np.percentile(ordered, 50)), float(np.percentile(ordered, 99))


def main() -> None:
    from bench._db import setup_django

    setup_django("test_ogc_bench_ai")  # no table is touched: vectors live in memory here
    from ai.vectors import scores, top_k

    rng = np.random.default_rng(18)
    print(f"{'vectors':>8} | {'score+top-k p50/p99 ms':>24} | {'unpack+stack+score p50/p99 ms':>31}")
    for size in SIZES:
        matrix = rng.standard_normal((size, DIMENSIONS), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        blobs = [row.tobytes() for row in matrix]
        queries = rng.standard_normal((QUERIES, DIMENSIONS), dtype=np.float32)
        fast, whole = [], []
        for query in queries:
            start = time.perf_counter()
            top_k(scores(query, matrix, "cosine"), 100)
            fast.append(time.perf_counter() - start)
        for query in queries[:10]:
            start = time.perf_counter()
            stacked = np.vstack([np.frombuffer(blob, dtype="<f4") for blob in blobs])
            top_k(scores(query, stacked, "cosine"), 100)
            whole.append(time.perf_counter() - start)
        f50, f99 = _percentiles(fast)
        w50, w99 = _percentiles(whole)
        print(f"{size:>8} | {f50:>10.2f} / {f99:>10.2f} | {w50:>14.1f} / {w99:>14.1f}", flush=True)
