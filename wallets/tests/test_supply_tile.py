"""The console's "Token supply" tile: the journal's totals, and an alert when the books
do not add up (a wallet's cached balance edited behind the ledger's back)."""

import pytest
from django.db.models import F
from django.test import RequestFactory

from core.admin_site import ALERT, OK
from wallets import services
from wallets.admin.dashboard import supply_tile
from wallets.models import Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def test_the_tile_reads_the_supply_and_alerts_on_a_gap():
    user = funded_user("100")
    services.stake_create(user=user, amount="30")
    services.reward_credit(user=user, amount="12.5")
    request = RequestFactory().get("/admin/")

    tile = supply_tile(request)
    assert (tile.title, tile.value, tile.state) == ("Token supply", "112.50 OGC", OK)
    assert tile.detail == "82.50 circulating · 30 staked · 0 held · 0 in prize escrows · 0 revenue"
    assert "not accounted for" not in tile.detail

    Wallet.objects.filter(pk=user.wallet.pk).update(available=F("available") + 1)  # drift
    tile = supply_tile(request)
    assert tile.state == ALERT
    assert tile.detail.startswith("-1 not accounted for: run verify_ledger. 83.50 circulating")
