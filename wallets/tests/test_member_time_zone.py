"""The wallet page speaks the member's time zone: the ledger's date filter takes whole
days in it, and the confirmation step and its message name the moment in it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from wallets import services
from wallets.models import Transaction
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(client, **params) -> list[int]:
    return [row.pk for row in client.get("/wallet/", params).context["page"].object_list]


def test_the_date_filter_takes_the_members_days():
    # 16:00 UTC on the 15th is 01:00 on the 16th in Tokyo.
    with time_machine.travel(datetime(2026, 1, 15, 16, 0, tzinfo=UTC), tick=False):
        user = funded_user("100", timezone="Asia/Tokyo")
    deposit = Transaction.objects.get(user=user)
    client = _client(user)
    assert _rows(client, date_from="2026-01-16", date_to="2026-01-16") == [deposit.pk]
    assert _rows(client, date_to="2026-01-15") == []
    assert _rows(client, date_from="2026-01-17") == []


def test_the_unstake_confirmation_and_message_name_the_members_zone(settings):
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 72
    user = funded_user("100", timezone="Europe/Madrid")
    services.stake_create(user=user, amount=Decimal("10"))
    client = _client(user)
    html = client.post("/wallet/unstake/review/", {"unstake-amount": "4", "unstake-token": "tz-1"}).content.decode()
    assert re.search(r"back in Available on \d{4}-\d\d-\d\d \d\d:\d\d CES?T\.", html), html
    assert " UTC" not in html
    response = client.post("/wallet/unstake/", {"unstake-amount": "4", "unstake-token": "tz-1"}, follow=True)
    message = [str(m) for m in response.context["messages"]]
    assert len(message) == 1 and re.search(r"back in Available on \d{4}-\d\d-\d\d \d\d:\d\d CES?T\.$", message[0])
