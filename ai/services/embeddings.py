"""Storing vectors: what text each object is embedded from, and the upsert."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from ai.models import Embedding, SourceKind
from ai.providers import Provider
from ai.vectors import pack


def source_text(kind: str, obj: Any) -> str:
    """The text an object is embedded and searched by (data only: never instructions)."""
    if kind == SourceKind.CHALLENGE:
        parts = [obj.title, obj.description, obj.rules]
    elif kind == SourceKind.PROPOSAL:
        parts = [obj.title, obj.body]
    else:
        parts = [obj.title, obj.content, obj.link]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedding_store(
    *, kind: str, object_id: int, provider: Provider, text: str, vector: np.ndarray, challenge_id: int | None = None
) -> Embedding:
    """Insert or refresh the object's row for the provider's model (one row per
    object and model: the unique constraint)."""
    embedding, _created = Embedding.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        model_name=provider.model_name,
        defaults={
            "challenge_id": challenge_id,
            "provider": provider.name,
            "metric": provider.metric,
            "dimensions": int(vector.shape[0]),
            "vector": pack(vector, provider.metric),
            "text_hash": text_hash(text),
        },
    )
    return embedding


def embeddings_refresh(*, kind: str, objects: list[Any], provider: Provider) -> int:
    """Embed the objects whose stored row is missing or stale (their text changed);
    returns how many were embedded. One provider call for the batch."""
    if not objects:
        return 0
    texts = {obj.pk: source_text(kind, obj) for obj in objects}
    stored = dict(
        Embedding.objects.filter(kind=kind, model_name=provider.model_name, object_id__in=list(texts)).values_list(
            "object_id", "text_hash"
        )
    )
    todo = [obj for obj in objects if texts[obj.pk] and stored.get(obj.pk) != text_hash(texts[obj.pk])]
    if not todo:
        return 0
    vectors = provider.embed([texts[obj.pk] for obj in todo])
    for obj, vector in zip(todo, vectors, strict=True):
        embedding_store(
            kind=kind,
            object_id=obj.pk,
            provider=provider,
            text=texts[obj.pk],
            vector=vector,
            challenge_id=getattr(obj, "challenge_id", None),
        )
    return len(todo)
