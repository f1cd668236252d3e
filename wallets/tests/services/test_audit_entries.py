"""Each balance change leaves audit entries with the acting user: the wallet's
(written explicitly from the locked instance) and the ledger row's."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from conftest import make_token_client
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def test_stake_through_the_api_audits_wallet_and_row_with_the_actor():
    user = funded_user("10")
    client = make_token_client(user)
    before = LogEntry.objects.count()
    r = client.post("/api/v1/wallet/stake/", {"amount": "4"})
    assert r.status_code == 201
    wallet_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Wallet), object_pk=str(user.wallet.pk)
    ).order_by("-pk")
    entry = wallet_entries.first()
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == user
    changes = entry.changes_dict
    assert set(changes) == {"available", "staked"}
    assert [Decimal(v) for v in changes["available"]] == [Decimal(10), Decimal(6)]
    assert [Decimal(v) for v in changes["staked"]] == [Decimal(0), Decimal(4)]
    row_entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Transaction), object_pk=str(r.json()["id"])
    )
    assert row_entry.action == LogEntry.Action.CREATE and row_entry.actor == user
    assert LogEntry.objects.count() == before + 2
