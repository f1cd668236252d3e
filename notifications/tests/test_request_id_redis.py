"""One correlation id across processes: an operator's API request on this process, the
notification it caused delivered by a real ``manage.py rundramatiq`` worker process on
the machine's Redis. The worker's own log lines, the delivery rows and the audit entry
carry the request's X-Request-ID (the message option ``ogc_request_id``)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from accounts.tests.factories import UserFactory
from conftest import make_token_client
from core.queue_middleware import RequestIdMiddleware
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.tests.live import wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("broker_kind", ["redis"], indirect=True)  # the message option, not the broker, is tested
def test_the_request_id_reaches_the_worker_process_log_the_delivery_rows_and_the_audit_entry(
    workers, broker_space, point_actors_at
):
    broker = point_actors_at(broker_space)
    broker.add_middleware(RequestIdMiddleware())  # as the settings' broker has it
    member = UserFactory()
    operator = make_token_client(UserFactory(roles=["operator"]))
    workers.start(threads=1)
    request_id = "corr-redis-5e1d"

    response = operator.post(
        "/api/v1/ops/deposits/",
        {"email": member.email, "amount": "25", "external_reference": "0xcorr", "memo": "bank"},
        HTTP_IDEMPOTENCY_KEY="corr-dep-1",
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 201, response.content
    deliveries = NotificationDelivery.objects.filter(notification__recipient=member)

    def delivered() -> bool:
        statuses = list(deliveries.all().values_list("status", flat=True))  # a fresh query each time
        return bool(statuses) and set(statuses) == {DeliveryStatus.SENT}

    try:
        wait_until(delivered, timeout=40, what="the deposit's notification delivered by the worker process")
        wait_until(lambda: "Processed notifications_deliver_email" in workers.logs(), timeout=10, what="log")
    except AssertionError:
        print(workers.logs(), list(deliveries.values("channel", "status", "last_error", "request_id")))
        raise
    assert {d.request_id for d in deliveries} == {request_id}
    assert LogEntry.objects.get(additional_data__action="deposit_create").cid == request_id
    worker_lines = [line for line in workers.logs().splitlines() if "ogc.worker" in line]
    processed = [line for line in worker_lines if "Processed notifications_deliver" in line]
    assert len(processed) == 2 and all(f"[{request_id} " in line for line in processed), worker_lines
