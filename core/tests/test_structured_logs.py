"""Structured logs: every line of a request carries its request id, user id and path;
the request id travels to the worker (its lines), the audit entry and the delivery row;
commands get their own id; no password, token or full email reaches a log line."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import pytest
from auditlog.models import LogEntry
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import make_token_client
from core.audit import command_context
from core.log_context import JsonFormatter, PlainFormatter, scrub
from notifications.models import NotificationDelivery
from wallets.tests.factories import WalletAddressFactory, funded_user


@contextlib.contextmanager
def captured_log(*, level: int = logging.INFO, json_lines: bool = False):
    """The output of the configured console handler (its filter and formatter, from
    settings.LOGGING), redirected to a buffer for the duration."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if isinstance(h, logging.StreamHandler) and h.filters]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    old_formatter, old_level = handler.formatter, root.level
    if json_lines:
        handler.setFormatter(JsonFormatter())
    root.setLevel(level)
    try:
        yield buffer
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
        root.setLevel(old_level)


def json_records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.django_db
def test_json_lines_carry_request_id_user_id_and_path():
    client = make_token_client(UserFactory())
    with captured_log(json_lines=True) as output:
        response = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="req-json-0001")
    assert response.status_code == 200
    records = json_records(output.getvalue())
    (line,) = [r for r in records if r["logger"] == "ogc.request"]
    assert line["request_id"] == "req-json-0001"
    assert line["user_id"] == client.user.pk
    assert line["path"] == "/api/v1/me/"
    assert line["status"] == 200 and line["method"] == "GET"
    assert {"time", "level", "message"} <= set(line)


@pytest.mark.django_db
def test_a_command_logs_under_its_own_id():
    logger = logging.getLogger("ogc.test")
    with captured_log(json_lines=True) as output, command_context("backup") as cid:
        logger.info("inside the command")
    (record,) = json_records(output.getvalue())
    assert record["request_id"] == cid and cid.startswith("cmd:backup:")
    assert record["user_id"] is None and record["path"] is None


@pytest.mark.django_db(transaction=True)
def test_one_request_id_in_the_web_line_the_worker_line_the_audit_entry_and_the_delivery_row(broker, worker):
    member = funded_user("100")
    address = WalletAddressFactory(wallet=member.wallet)
    from wallets.services import withdrawal_request

    withdrawal = withdrawal_request(user=member, amount="25", address_id=address.pk)
    broker.join("notifications", fail_fast=True)
    operator = make_token_client(UserFactory(roles=["operator"]))
    request_id = "corr-7f3a9c21"

    with captured_log(json_lines=True) as output:
        response = operator.post(f"/api/v1/ops/withdrawals/{withdrawal.pk}/approve/", {}, HTTP_X_REQUEST_ID=request_id)
        assert response.status_code == 200, response.content
        assert response["X-Request-ID"] == request_id
        broker.join("notifications", fail_fast=True)
        worker.join()

    records = json_records(output.getvalue())
    web = [r for r in records if r["logger"] == "ogc.request" and r["request_id"] == request_id]
    assert len(web) == 1 and web[0]["user_id"] == operator.user.pk
    assert web[0]["path"] == f"/api/v1/ops/withdrawals/{withdrawal.pk}/approve/"
    worker_lines = [r for r in records if r["logger"] == "ogc.worker" and r["request_id"] == request_id]
    assert any(r["message"].startswith("Processed notifications_deliver_in_app") for r in worker_lines), records
    # The audit entry of the approval and the notification's delivery rows carry it too.
    entry = LogEntry.objects.get(additional_data__action="withdrawal_approve")
    assert entry.cid == request_id
    deliveries = NotificationDelivery.objects.filter(notification__recipient=member, request_id=request_id)
    assert deliveries.exists()
    assert all(d.status == "sent" for d in deliveries.filter(channel="in_app"))
    # The earlier request (a service call outside any request) left its rows without an id.
    assert NotificationDelivery.objects.filter(notification__recipient=member, request_id="").exists()


@pytest.mark.django_db
def test_no_password_token_or_full_email_in_the_logs_of_a_login_a_token_request_and_a_withdrawal():
    email, password = "Ada.Lovelace@example.com", "correct-horse-battery-staple-7"
    user = funded_user("100", email=email.lower(), password=password)
    address = WalletAddressFactory(wallet=user.wallet)
    with captured_log(level=logging.DEBUG) as output:
        page = Client()
        # A failed login first (django-axes and allauth log failures), then the real one.
        page.post("/accounts/login/", {"login": email, "password": "wrong-password-123"})
        assert page.post("/accounts/login/", {"login": email, "password": password}).status_code == 302
        api = Client()
        token_response = api.post(
            "/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json"
        )
        assert token_response.status_code in (200, 201), token_response.content
        token = token_response.json()["token"]
        response = api.post(
            "/api/v1/wallet/withdrawals/",
            {"amount": "12", "address_id": address.pk, "password": password},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_IDEMPOTENCY_KEY="logs-w1",
        )
        assert response.status_code == 201, response.content
        # A careless line of our own is scrubbed as well.
        logging.getLogger("ogc.test").warning("debug dump email=%s password=%s auth=Token %s", email, password, token)
    text = output.getvalue()
    assert "POST /api/v1/wallet/withdrawals/ 201" in text  # the lines were captured
    for secret in (password, token, email, email.lower(), "wrong-password-123"):
        assert secret not in text, f"{secret!r} leaked into the logs:\n{text}"
    assert "A***@example.com" in text


def test_scrub_masks_emails_tokens_and_secret_fields():
    text = scrub(
        "user ada@example.com password=hunter2hunter2 {'token': 'abc123def456'} "
        "Authorization: Bearer eyJhbGciOi.payload.sig Token 0123456789abcdef0123 api_key=XYZ987"
    )
    assert "ada@example.com" not in text and "a***@example.com" in text
    for secret in ("hunter2hunter2", "abc123def456", "eyJhbGciOi.payload.sig", "0123456789abcdef0123", "XYZ987"):
        assert secret not in text, text


def test_plain_lines_are_human_readable_with_the_context():
    record = logging.LogRecord("ogc.test", logging.INFO, __file__, 1, "hello %s", ("bob@example.org",), None)
    line = PlainFormatter().format(record)
    assert line.endswith("INFO ogc.test [None user=None None] hello b***@example.org")
