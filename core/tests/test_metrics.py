"""/metrics: refused by default, allowed by bearer token or network; the business gauges
move with a withdrawal request and its approval; labels stay bounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from accounts.tests.factories import UserFactory, step_up
from conftest import make_token_client
from core.check_runs import check_run_record
from core.queue_middleware import worker_heartbeat_write
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789abcdef"


def scrape(**extra) -> dict[str, list]:
    """name -> [(labels, value)] of every sample on /metrics."""
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict, name: str, **labels) -> float:
    matches = [v for found, v in samples.get(name, []) if all(found.get(k) == w for k, w in labels.items())]
    assert len(matches) == 1, f"{name}{labels}: {samples.get(name)}"
    return matches[0]


def test_metrics_are_refused_by_default():
    response = Client().get("/metrics")
    assert response.status_code == 403
    assert b"ogc_" not in response.content


@override_settings(OGC_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    "header", ["", "Bearer wrong-token", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer "], ids=repr
)
def test_metrics_are_refused_without_the_right_bearer_token(header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert Client().get("/metrics", **extra).status_code == 403


@override_settings(OGC_METRICS_ALLOWED_NETWORKS=["10.0.0.0/8", "127.0.0.0/8"])
def test_metrics_are_served_to_allowed_networks_only():
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.168.1.9").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="not-an-ip").get("/metrics").status_code == 403


@override_settings(OGC_METRICS_TOKEN=TOKEN)
def test_withdrawal_gauges_move_with_a_request_and_its_approval():
    member = make_token_client(funded_user("100"))
    operator = make_token_client(UserFactory(roles=["operator"]))
    address = WalletAddressFactory(wallet=member.user.wallet)
    before = scrape()
    assert value(before, "ogc_withdrawals_awaiting_approval") == 0
    assert value(before, "ogc_withdrawals_awaiting_approval_tokens") == 0

    response = member.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "30.5", "address_id": address.pk, **step_up(member.user)},
        HTTP_IDEMPOTENCY_KEY="metrics-w1",
    )
    assert response.status_code == 201, response.content
    waiting = scrape()
    assert value(waiting, "ogc_withdrawals_awaiting_approval") == 1
    assert value(waiting, "ogc_withdrawals_awaiting_approval_tokens") == 30.5
    assert value(waiting, "ogc_withdrawals_oldest_waiting_seconds") >= 0
    # The deposit and the withdrawal's hold were journaled within the minute.
    assert value(waiting, "ogc_ledger_entries_last_minute") >= value(before, "ogc_ledger_entries_last_minute") + 1

    response = operator.post(f"/api/v1/ops/withdrawals/{response.json()['id']}/approve/", {})
    assert response.status_code == 200, response.content
    approved = scrape()
    assert value(approved, "ogc_withdrawals_awaiting_approval") == 0
    assert value(approved, "ogc_withdrawals_awaiting_approval_tokens") == 0
    assert value(approved, "ogc_ledger_entries_last_minute") > value(waiting, "ogc_ledger_entries_last_minute")
    # Request metrics by view (django-prometheus) and database query counts are exported.
    assert (
        value(
            approved,
            "django_http_responses_total_by_status_view_method_total",
            status="201",
            view="api:wallet-withdrawals",
            method="POST",
        )
        >= 1
    )
    assert sum(v for _labels, v in approved["django_db_execute_total"]) > 0
    assert all(v == 0 for _labels, v in approved["ogc_metrics_collect_errors"])


@override_settings(OGC_METRICS_TOKEN=TOKEN)
def test_check_run_worker_and_member_gauges():
    samples = scrape()
    assert value(samples, "ogc_check_ran", check="verify_ledger") == 0
    assert value(samples, "ogc_worker_heartbeat_seen") == 0
    from django.utils import timezone

    check_run_record(name="verify_ledger", ok=True, summary="clean", started_at=timezone.now())
    check_run_record(name="check_integrity", ok=False, summary="2 problems", started_at=timezone.now())
    worker_heartbeat_write()
    UserFactory(last_login=timezone.now())
    samples = scrape()
    assert value(samples, "ogc_check_last_ok", check="verify_ledger") == 1
    assert value(samples, "ogc_check_last_ok", check="check_integrity") == 0
    assert 0 <= value(samples, "ogc_check_last_age_seconds", check="verify_ledger") < 60
    assert value(samples, "ogc_worker_heartbeat_seen") == 1
    assert value(samples, "ogc_worker_heartbeat_age_seconds") < 60
    assert value(samples, "ogc_members_active") >= 1


@override_settings(OGC_METRICS_TOKEN=TOKEN)
def test_queue_depth_and_failures_per_actor(broker, transactional_db):
    import dramatiq

    from notifications.tasks import deliver_in_app

    deliver_in_app.send([987654321])  # an id that does not exist: processed, nothing to send
    samples = scrape()
    assert value(samples, "ogc_queue_messages", queue="notifications") == 1

    @dramatiq.actor(actor_name="ogc_test_always_fails", queue_name="ogc-test", max_retries=0)
    def always_fails():
        raise RuntimeError("boom")

    try:
        always_fails.send()
        worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
        worker.start()
        try:
            broker.join("notifications")
            broker.join("ogc-test", fail_fast=False)  # the failure is what is counted
            worker.join()
        finally:
            worker.stop()
        samples = scrape()
        assert value(samples, "ogc_queue_messages", queue="notifications") == 0
        assert value(samples, "ogc_queue_messages_processed_total", actor="notifications_deliver_in_app") == 1
        assert value(samples, "ogc_queue_messages_failed_total", actor="ogc_test_always_fails") == 1
        assert value(samples, "ogc_queue_messages_failed_total", actor="notifications_deliver_in_app") == 0
    finally:
        broker.actors.pop("ogc_test_always_fails", None)


@override_settings(OGC_METRICS_TOKEN=TOKEN)
def test_business_labels_are_bounded():
    """No user, wallet, email or request id in a label of ours: only these label names."""
    funded_user("10", email="label-check@example.com")
    samples = scrape()
    allowed = {"queue", "actor", "check", "group"}
    for name, rows in samples.items():
        if not name.startswith("ogc_"):
            continue
        for labels, _value in rows:
            assert set(labels) <= allowed, (name, labels)
            assert not any("@" in text for text in labels.values()), (name, labels)
    assert Decimal(str(value(samples, "ogc_metrics_collect_seconds"))) >= 0
