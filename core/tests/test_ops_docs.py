"""The operations docs stay true: every metric the example alert rules and the gauge
table of docs/operations.md name is exported by /metrics, and every setting the page's
operations table names is read by the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "docs" / "ops" / "prometheus-alerts.yml"
PAGE = ROOT / "docs" / "operations.md"
METRIC = re.compile(r"\b((?:ogc|django)_[a-z0-9_]+)\b")


def exported_names() -> set[str]:
    from core.queue_middleware import worker_heartbeat_write
    from core.worker import import_task_modules

    import_task_modules()  # the actors, as in a web process: their counters have samples
    worker_heartbeat_write()  # the heartbeat's age is exported once one exists
    client = Client()
    client.get("/healthz")  # one request through the middleware: the request series exist
    with override_settings(OGC_METRICS_TOKEN="docs-check-token"):
        body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer docs-check-token").content.decode()
    names: set[str] = set()
    for family in text_string_to_metric_families(body):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def test_the_alert_rules_file_is_well_formed():
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    assert len(rules) >= 10
    for rule in rules:
        assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule
        assert rule["labels"]["severity"] in {"page", "ticket"}


@pytest.mark.django_db
def test_every_metric_the_alerts_and_the_page_name_is_exported():
    exported = exported_names()
    named = set(METRIC.findall(ALERTS.read_text()))
    page = PAGE.read_text()
    section = page[page.index("## Metrics (`/metrics`)") : page.index("## Logs")]
    named |= {name for name in METRIC.findall(section) if name.startswith("ogc_")}
    # Histograms are named by their base or their series (_bucket, _count, _sum).
    missing = sorted(n for n in named if n not in exported and re.sub(r"_(bucket|count|sum)$", "", n) not in exported)
    assert missing == [], f"named in the docs but not on /metrics: {missing}"
    assert "ogc_withdrawals_awaiting_approval" in named


def test_every_operations_setting_in_the_table_is_read_and_in_env_example():
    page = PAGE.read_text()
    table = page[page.index("## Settings (operations)") :]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    names = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}
    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    assert len(names) >= 8
    assert sorted(names - documented) == []
    read = (ROOT / "ogc" / "settings" / "base.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    assert sorted(name for name in names if f'"{name}"' not in read) == []
