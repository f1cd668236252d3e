"""Error tracking: with SENTRY_DSN pointing at a local HTTP server standing in for
Sentry's ingest endpoint, an exception and an error log line arrive tagged with the
release and environment and scrubbed of passwords, tokens and emails; without a DSN
sentry_sdk is not even imported. Each case runs in a fresh interpreter (sentry-sdk
patches Django and dramatiq process-wide)."""

from __future__ import annotations

import gzip
import http.server
import os
import subprocess
import sys
import threading
import zlib

import pytest
from django.conf import settings

PROGRAM = r"""
import logging
import django

django.setup()
import sentry_sdk


def charge(email, password, api_token):
    raise ValueError(f"could not charge {email}")


try:
    charge("ada.lovelace@example.com", "hunter2-secret-pass", "tok_9f8e7d6c5b4a3210")
except ValueError:
    sentry_sdk.capture_exception()
logging.getLogger("ogc.test").error("login failed for ada.lovelace@example.com with Token tok_9f8e7d6c5b4a3210")
sentry_sdk.flush(10)
print("flushed")
"""


class Ingest(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), IngestHandler)
        self.bodies: list[bytes] = []
        self.paths: list[str] = []


class IngestHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.bodies.append(body)
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def ingest():
    server = Ingest()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_python(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    return subprocess.run(
        [sys.executable, "-c", PROGRAM if "SENTRY_DSN" in env else env.pop("PROGRAM")],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "ogc.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_events_reach_the_ingest_endpoint_tagged_and_scrubbed(ingest):
    port = ingest.server_address[1]
    result = run_python(
        {
            "SENTRY_DSN": f"http://publickey123@127.0.0.1:{port}/42",
            "OGC_RELEASE": "ogc@test-release-1",
            "OGC_ENVIRONMENT": "ci-drill",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "flushed" in result.stdout
    assert ingest.paths and all(path.startswith("/api/42/envelope/") for path in ingest.paths)
    text = b"\n".join(ingest.bodies).decode()
    assert '"type":"event"' in text.replace(" ", "")
    assert "could not charge" in text  # the exception arrived
    assert "login failed for" in text  # and the error log line
    assert '"release":"ogc@test-release-1"' in text.replace(" ", "")
    assert '"environment":"ci-drill"' in text.replace(" ", "")
    for secret in ("ada.lovelace@example.com", "hunter2-secret-pass", "tok_9f8e7d6c5b4a3210"):
        assert secret not in text, f"{secret} reached Sentry"
    assert "a***@example.com" in text


def test_without_a_dsn_sentry_sdk_is_not_even_imported():
    result = run_python(
        {"PROGRAM": "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)", "SENTRY_DSN_UNSET": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
