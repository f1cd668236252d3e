"""A small HTTP server on 127.0.0.1 that speaks the OpenAI-compatible protocol
(``POST /v1/embeddings``, ``POST /v1/chat/completions``) for the tests of the
``openai_compatible`` provider. Its embeddings are deterministic bags of hashed words
(real vectors: texts sharing words are close); its chat answer quotes the first
sentence of the data it was sent. ``fail_next`` makes the next N requests answer 503;
``delay`` makes every answer wait (timeouts). Every request is recorded."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from ai.providers.text import words


def toy_vector(text: str, dimensions: int) -> list[float]:
    vector = np.zeros(dimensions, dtype=np.float64)
    for word in words(text):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vector[int.from_bytes(digest[:4], "little") % dimensions] += 1.0
    return vector.tolist()


class ProtocolServer:
    dimensions = 64

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "body": body, "authorization": self.headers.get("Authorization")}
                )
                if server.delay:
                    time.sleep(server.delay)
                if server.fail_next > 0:
                    server.fail_next -= 1
                    return self._answer(503, {"error": {"message": "overloaded"}})
                if self.path == "/v1/embeddings":
                    data = [
                        {"object": "embedding", "index": i, "embedding": toy_vector(text, server.dimensions)}
                        for i, text in enumerate(body["input"])
                    ]
                    return self._answer(200, {"object": "list", "data": data, "model": body["model"]})
                if self.path == "/v1/chat/completions":
                    user = json.loads(body["messages"][-1]["content"])
                    first = next(iter(user.values())).split(".")[0]
                    content = f"Summary: {first}."
                    usage = {"prompt_tokens": sum(len(m["content"].split()) for m in body["messages"])}
                    usage["completion_tokens"] = len(content.split())
                    return self._answer(
                        200,
                        {
                            "id": "chatcmpl-test",
                            "object": "chat.completion",
                            "model": body["model"],
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                            "usage": usage,
                        },
                    )
                return self._answer(404, {"error": {"message": "unknown path"}})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
