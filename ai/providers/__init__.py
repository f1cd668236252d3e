"""The provider registry: ``OGC_AI_PROVIDER`` names the provider (``local``,
``semantic``, ``openai_compatible``); ``get_provider()`` returns it."""

from __future__ import annotations

from django.conf import settings

from ai.providers.base import (
    TASK_FEEDBACK,
    TASK_SUMMARISE,
    Completion,
    Provider,
    ProviderDisabledError,
    ProviderError,
)
from ai.providers.local import LocalProvider
from ai.providers.openai_compatible import OpenAICompatibleProvider
from ai.providers.semantic import SemanticProvider

REGISTRY: dict[str, type] = {
    "local": LocalProvider,
    "semantic": SemanticProvider,
    "openai_compatible": OpenAICompatibleProvider,
}


def get_provider(name: str | None = None) -> Provider:
    name = name or settings.OGC_AI_PROVIDER
    try:
        return REGISTRY[name]()
    except KeyError:
        raise ProviderError(f"Unknown AI provider {name!r}.", code="unknown_provider") from None


__all__ = [
    "REGISTRY",
    "TASK_FEEDBACK",
    "TASK_SUMMARISE",
    "Completion",
    "LocalProvider",
    "OpenAICompatibleProvider",
    "Provider",
    "ProviderDisabledError",
    "ProviderError",
    "SemanticProvider",
    "get_provider",
]
