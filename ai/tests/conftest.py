"""Fixtures of the AI segment's tests: the semantic model (loaded once per session:
two shared cores) and a local HTTP server that speaks the OpenAI-compatible protocol
(there is no real model server here)."""

from __future__ import annotations

import pytest

from ai.tests.protocol_server import ProtocolServer


@pytest.fixture(scope="session")
def semantic_provider():
    from ai.providers import SemanticProvider
    from ai.providers.semantic import available

    if not available():
        pytest.fail("requirements-ai.txt is not installed: the semantic provider cannot be tested")
    provider = SemanticProvider()
    provider.embed(["warm up"])  # loads the model once for the session
    return provider


@pytest.fixture
def protocol_server():
    server = ProtocolServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def openai_settings(settings, protocol_server):
    settings.OGC_AI_OPENAI_BASE_URL = f"{protocol_server.url}/v1"
    settings.OGC_AI_OPENAI_API_KEY = "test-key"
    settings.OGC_AI_OPENAI_SEND_CONTENT = True
    settings.OGC_AI_OPENAI_EMBED_MODEL = "toy-embed"
    settings.OGC_AI_OPENAI_EMBED_DIMENSIONS = protocol_server.dimensions
    settings.OGC_AI_OPENAI_CHAT_MODEL = "toy-chat"
    settings.OGC_AI_OPENAI_TIMEOUT_SECONDS = 1
    settings.OGC_AI_OPENAI_RETRIES = 2
    settings.OGC_AI_OPENAI_BACKOFF_SECONDS = 0.01
    settings.OGC_AI_OPENAI_BREAKER_FAILURES = 2
    settings.OGC_AI_OPENAI_BREAKER_SECONDS = 60
    return settings
