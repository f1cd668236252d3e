"""A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (issue 13, part 2): the API answers
413 ``payload_too_large`` with a sentence naming the limit, pages a branded 413 page;
before, Django's ``RequestDataTooBig`` became a 400 ``bad_request``. The schema
documents 413 on the operations that read a body."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import make_token_client
from core.models import IdempotencyRecord
from wallets.models import Transaction
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

BIG = 20 * 1024 * 1024  # 20 MB; the limit is Django's default 2.5 MB
PAYLOAD_TOO_LARGE = {
    "code": "payload_too_large",
    "detail": "The request body is larger than 2.5\xa0MB, the most this server accepts.",
    "fields": {},
}


def _big_json(**fields) -> str:
    return json.dumps({**fields, "note": "x" * BIG})


@pytest.mark.parametrize("key", [None, "big-1"])
def test_an_oversized_money_post_is_a_413_and_moves_nothing(key):
    user = funded_user("10")
    client = make_token_client(user)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = client.generic(
        "POST", "/api/v1/wallet/stake/", _big_json(amount="1"), content_type="application/json", **headers
    )
    assert (response.status_code, response.json()) == (413, PAYLOAD_TOO_LARGE)
    user.wallet.refresh_from_db()
    assert user.wallet.staked == Decimal("0")
    assert not Transaction.objects.filter(wallet=user.wallet, kind="stake").exists()
    assert not IdempotencyRecord.objects.exists()


def test_oversized_bodies_on_other_operations(user):
    client = make_token_client(user)
    response = client.generic("PATCH", "/api/v1/me/", _big_json(), content_type="application/json")
    assert (response.status_code, response.json()) == (413, PAYLOAD_TOO_LARGE)
    anonymous = APIClient()
    response = anonymous.generic("POST", "/api/v1/auth/signup/", _big_json(), content_type="application/json")
    assert (response.status_code, response.json()) == (413, PAYLOAD_TOO_LARGE)


def test_the_message_is_translated(user):
    client = make_token_client(user)
    response = client.generic(
        "PATCH", "/api/v1/me/", _big_json(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "2,5\xa0MB" in response.json()["detail"] and "request" not in response.json()["detail"]


def test_a_small_body_still_works(user):
    client = make_token_client(user)
    response = client.patch("/api/v1/me/", {"display_name": "Ana"}, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_an_oversized_form_post_is_the_branded_413_page(user, enforce_csrf):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    client.get("/wallet/")  # the CSRF cookie: the middleware then reads the body for the token
    token = client.cookies["csrftoken"].value
    response = client.post("/wallet/stake/", {"csrfmiddlewaretoken": token, "amount": "1", "note": "x" * BIG})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "The request was too large" in html and "2.5\xa0MB" in html
    assert "img/logo" in html  # our layout


def test_the_schema_documents_413_on_operations_that_read_a_body():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    with_body = without_body = 0
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            responses = operation["responses"]
            reads_body = "requestBody" in operation or "Idempotency-Key" in {
                p["name"] for p in operation.get("parameters", [])
            }
            if reads_body:
                assert "413" in responses, (method, path)
                assert responses["413"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
                with_body += 1
            else:
                assert "413" not in responses, (method, path)
                without_body += 1
    assert with_body > 20 and without_body > 20
