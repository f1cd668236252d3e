"""The operations endpoints as production runs them: ``ogc.settings.production`` under a
real gunicorn with two workers and ``gunicorn.conf.py``, prometheus_client's
multiprocess directory, JSON log lines. /healthz, /readyz and /metrics answer over plain
HTTP (exempt from the HTTPS redirect), /metrics adds up both workers and is refused
without the token, and the request's id is in its JSON log line."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from tests.live_gunicorn import GunicornServer, mysql_url

TOKEN = "gunicorn-metrics-token-0123456789"
REQUESTS = 40


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_production_gunicorn_serves_probes_metrics_of_every_worker_and_json_logs(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "ogc.settings.production",
        "OGC_ENVIRONMENT": "production",
        "DJANGO_SECRET_KEY": "p" * 20 + "-realistic-production-secret-key-Zq8#x!Lr2@vN5$wK",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "CACHE_URL": "locmemcache://ops-test",
        "DRAMATIQ_BROKER_URL": "",
        "OGC_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "OGC_GUNICORN_WORKERS": "2",
        "OGC_GUNICORN_THREADS": "1",
    }
    with GunicornServer(env=env, workers=None, config="gunicorn.conf.py") as server:
        for _ in range(REQUESTS):
            status, _body = server.request("GET", "/healthz")
            assert status == 200
        status, body = server.request("GET", "/readyz", headers={"X-Request-ID": "gunicorn-ready-1"})
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok"}
        assert server.request("GET", "/metrics")[0] == 403
        assert server.request("GET", "/")[0] == 301  # everything else is redirected to HTTPS
        # Behind the TLS proxy (X-Forwarded-Proto from a trusted address) the page is served.
        proxied = {"X-Forwarded-Proto": "https", "X-Request-ID": "gunicorn-page-1"}
        assert server.request("GET", "/api/v1/plans/", headers=proxied)[0] == 200

        status, body = server.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        healthz = 0.0
        for family in text_string_to_metric_families(body.decode()):
            for sample in family.samples:
                name, view = sample.name, sample.labels.get("view")
                if name == "django_http_requests_total_by_view_transport_method_total" and view == "healthz":
                    healthz += sample.value
        assert healthz == REQUESTS  # both workers' counts, from the multiprocess directory
        assert len({path.name.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}) == 2
        log = server.log()

    lines = []
    for line in log.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pytest.fail(f"not a JSON line: {line}")
    page = [line for line in lines if line.get("request_id") == "gunicorn-page-1"]
    assert len(page) == 1, log[-3000:]
    assert page[0]["path"] == "/api/v1/plans/" and page[0]["logger"] == "ogc.request" and page[0]["status"] == 200
    refused = [line for line in lines if line.get("logger") == "django.request"]
    assert refused and all(line["request_id"] and line["path"] == "/metrics" for line in refused)
