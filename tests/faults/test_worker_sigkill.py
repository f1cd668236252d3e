"""Fault injection: a gunicorn worker SIGKILLed in the middle of withdrawals.

A real ``gunicorn ogc.wsgi`` (2 sync workers, the test settings, the pytest test
database) takes a burst of concurrent ``POST /api/v1/wallet/withdrawals/``, each
with its own Idempotency-Key, while the test SIGKILLs a worker several times. The
kernel closes a killed worker's sockets: its client sees a dropped connection and
MariaDB rolls back whatever the worker had not committed. Then:

1. every operation is whole or absent: a key has one ledger row or none, and the
   balances equal the rows (``verify_ledger`` clean);
2. a client retry of every request with the same key (after the idempotency lock
   timeout, set to 2 s here) gets a 201; the keys answered before are replayed
   byte for byte; each key ends with exactly one row; no record stays in progress.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import DEFAULT_PASSWORD, api_token_for
from core.models import IdempotencyRecord
from tests.live_gunicorn import GunicornServer, mysql_url
from wallets.models import Transaction, Wallet
from wallets.tests.factories import WalletAddressFactory, funded_user
from wallets.verification import assert_ledger_clean

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REQUESTS = 60
CLIENTS = 12
KILLS = 3
LOCK_TIMEOUT = 2.0


def _post_withdrawal(server: GunicornServer, token: str, key: str, address_id: int) -> tuple[int | None, bytes]:
    """(status, body), or (None, error) when the connection dropped mid-request."""
    # Step-up: the member's password (core.stepup), as every withdrawal carries.
    body = json.dumps({"amount": "1.5", "address_id": address_id, "password": DEFAULT_PASSWORD}).encode()
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    try:
        return server.request("POST", "/api/v1/wallet/withdrawals/", body=body, headers=headers, timeout=60)
    except (OSError, http.client.HTTPException) as exc:
        return None, repr(exc).encode()


def test_sigkilled_workers_lose_nothing_and_retries_write_exactly_one_row():
    user = funded_user("1000")
    address = WalletAddressFactory(wallet=user.wallet)
    token = api_token_for(user)
    keys = [f"fault-w-{i}" for i in range(REQUESTS)]
    env = {
        "DJANGO_SETTINGS_MODULE": "ogc.settings.test",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT),
    }

    with GunicornServer(env=env, workers=2) as server:
        killed: list[int] = []
        first: dict[str, tuple[int | None, bytes]] = {}
        done = threading.Event()

        def killer() -> None:
            """SIGKILL a busy worker every 150 ms while the burst runs."""
            time.sleep(0.3)
            while len(killed) < KILLS and not done.is_set():
                pids = [pid for pid in server.worker_pids() if pid not in killed]
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
                time.sleep(0.15)

        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        with ThreadPoolExecutor(CLIENTS) as pool:
            for key, result in zip(keys, pool.map(lambda k: _post_withdrawal(server, token, k, address.pk), keys)):
                first[key] = result
        done.set()
        kill_thread.join()

        dropped = [key for key, (status, _) in first.items() if status is None]
        assert killed, "no worker was killed"
        assert dropped, f"no request was in flight when the workers died (killed {killed}): nothing was tested"
        assert {status for status, _ in first.values()} <= {201, None}, first

        # 1. Whole or absent: one row or none per key, balances equal the rows.
        rows = {key: Transaction.objects.filter(user=user, idempotency_key=f"api:{key}").count() for key in keys}
        assert set(rows.values()) <= {0, 1}
        assert all(rows[key] == 1 for key, (status, _) in first.items() if status == 201)
        assert_ledger_clean()
        stuck = IdempotencyRecord.objects.filter(user=user, state="in_progress").count()
        assert stuck <= len(dropped)  # each killed request left its key in progress (or rolled back)

        # 2. The client retries everything with the same keys once the lock timed out.
        time.sleep(LOCK_TIMEOUT + 0.2)
        with ThreadPoolExecutor(CLIENTS) as pool:
            retries = dict(zip(keys, pool.map(lambda k: _post_withdrawal(server, token, k, address.pk), keys)))

    for key in keys:
        status, body = retries[key]
        assert status == 201, (key, status, body)
        if first[key][0] == 201:
            assert body == first[key][1], f"{key}: the replay differs from the first answer"
    assert all(Transaction.objects.filter(user=user, idempotency_key=f"api:{key}").count() == 1 for key in keys), (
        "a key without exactly one ledger row"
    )
    assert Transaction.objects.filter(user=user, kind="withdrawal").count() == REQUESTS
    assert not IdempotencyRecord.objects.filter(user=user, state="in_progress").exists()
    wallet = Wallet.objects.get(user=user)
    reserved = Decimal("1.5") * REQUESTS
    assert (wallet.available, wallet.held) == (Decimal(1000) - reserved, reserved)
    assert_ledger_clean()
    print(
        f"killed workers {killed}; {len(dropped)} of {REQUESTS} requests dropped "
        f"({sum(rows[k] for k in dropped)} of them committed before the kill); "
        f"{stuck} key(s) left in progress and taken over by the retry"
    )
