"""Vectors in MariaDB: BLOBs of little-endian float32 (cosine) or uint64 (MinHash), and
brute-force scoring with numpy (docs/ai.md, "Search latency" and "Beyond numpy")."""

from __future__ import annotations

import numpy as np

from ai.models import VectorMetric

DTYPES = {VectorMetric.COSINE: np.dtype("<f4"), VectorMetric.MINHASH: np.dtype("<u8")}


def pack(vector: np.ndarray, metric: str) -> bytes:
    return np.ascontiguousarray(vector, dtype=DTYPES[VectorMetric(metric)]).tobytes()


def unpack(blob: bytes | memoryview, metric: str, dimensions: int) -> np.ndarray:
    vector = np.frombuffer(bytes(blob), dtype=DTYPES[VectorMetric(metric)])
    if vector.shape != (dimensions,):
        raise ValueError(f"A stored vector has {vector.shape[0]} values, its row says {dimensions}.")
    return vector


def scores(query: np.ndarray, matrix: np.ndarray, metric: str) -> np.ndarray:
    """Similarity of ``query`` to each row of ``matrix``, in [0, 1] for MinHash (the share
    of equal slots) and [-1, 1] for cosine (rows are L2-normalised when stored)."""
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    if VectorMetric(metric) == VectorMetric.MINHASH:
        return (matrix == query).mean(axis=1).astype(np.float32)
    return matrix @ query.astype(np.float32)


def top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first (ties: lower index first)."""
    if values.shape[0] == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, values.shape[0])
    part = np.argpartition(-values, k - 1)[:k]
    return part[np.lexsort((part, -values[part]))]
