"""Several nodes (issue #20 item 3, bounded): two gunicorn web processes and two dramatiq
worker processes on the same primary, replica, Redis cache and Redis broker. Members'
transfers go to both webs; one web and one worker are SIGKILLed mid-run; every request
is answered after the client retries it (same Idempotency-Key) on the other web; no
ledger entry or notification is lost or duplicated, every notification is delivered
once, verify_ledger is clean."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from conftest import make_token_client
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.tests.live import Workers
from tests.live_gunicorn import GunicornServer, mysql_url
from tests.replication.cases.helpers import wait_for
from wallets.models import Transaction
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

MEMBERS = 4
TRANSFERS_EACH = 15
REDIS = "redis://127.0.0.1:6379/11"


def _post(server: GunicornServer, token: str, key: str, body: dict) -> int:
    status, _ = server.request(
        "POST",
        "/api/v1/wallet/transfers/",
        body=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
        timeout=15,
    )
    return status


def test_two_webs_and_two_workers_survive_losing_one_of_each(pair, tmp_path):
    members = [funded_user("1000") for _ in range(MEMBERS)]
    tokens = [make_token_client(m)._credentials["HTTP_AUTHORIZATION"].split()[1] for m in members]
    pair.wait_caught_up()
    namespace = f"ogc-cluster-{uuid.uuid4().hex[:8]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "DATABASE_REPLICA_URLS": mysql_url(connections["replica"].settings_dict),
        "CACHE_URL": REDIS,
        "DRAMATIQ_BROKER_URL": REDIS,
        "OGC_TEST_REDIS_NAMESPACE": namespace,
        "OGC_TEST_EMAIL_DIR": str(tmp_path / "mail"),
        "OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": "3000",
        "OGC_DRAMATIQ_MAINTENANCE_CHANCE": "1000000",
        "OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS": "3",
        "OGC_REPLICA_HEALTH_TTL_SECONDS": "1",
        # A killed worker's claims expire soon, so its redelivered messages settle in the run.
        "OGC_NOTIFICATION_CLAIM_SECONDS": "3",
    }
    (tmp_path / "mail").mkdir()
    workers = Workers(broker_url=REDIS, namespace=namespace, mail_dir=tmp_path / "mail", log_dir=tmp_path, env=env)
    webs = [GunicornServer(env=env, workers=1) for _ in range(2)]
    answered: dict[str, int] = {}
    try:
        doomed_worker = workers.start()
        workers.start()
        for web in webs:
            web.start()

        def member_traffic(i: int) -> None:
            recipient = members[(i + 1) % MEMBERS].email
            for n in range(TRANSFERS_EACH):
                key = f"cluster-{i}-{n}"
                node = (i + n) % 2
                for _attempt in range(40):
                    try:
                        status = _post(webs[node], tokens[i], key, {"recipient": recipient, "amount": "1"})
                    except OSError:
                        status = 0
                    if status == 201:
                        answered[key] = status
                        break
                    node = 1 - node  # the client's retry goes to the other node
                    time.sleep(0.25)

        threads = [threading.Thread(target=member_traffic, args=(i,)) for i in range(MEMBERS)]
        for thread in threads:
            thread.start()
        # Kill once some transfers are answered (not after a fixed time: on a quiet
        # machine the whole run can finish within a second and a half).
        deadline = time.monotonic() + 60
        while len(answered) < MEMBERS * TRANSFERS_EACH // 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(webs[0].process.pid, signal.SIGKILL)  # a web node dies mid-run
        workers.kill(doomed_worker)  # and a worker node
        done_at_kill = len(answered)
        for thread in threads:
            thread.join(timeout=120)
        assert len(answered) == MEMBERS * TRANSFERS_EACH, sorted(answered)
        assert 0 < done_at_kill < MEMBERS * TRANSFERS_EACH, "the kills must land mid-run"

        # The survivor replays a key first answered by either node (idempotency across nodes).
        assert _post(webs[1], tokens[0], "cluster-0-0", {"recipient": members[1].email, "amount": "1"}) == 201

        outs = Transaction.objects.filter(kind="transfer_out")
        assert outs.count() == MEMBERS * TRANSFERS_EACH
        assert outs.values("idempotency_key").distinct().count() == MEMBERS * TRANSFERS_EACH
        assert Transaction.objects.filter(kind="transfer_in").count() == MEMBERS * TRANSFERS_EACH
        for member in members:
            member.wallet.refresh_from_db()
            assert member.wallet.available == Decimal("1000")  # sent as many as received
        # (The funding deposits' notifications went to this process's stub broker: not counted.)
        deliveries = NotificationDelivery.objects.filter(notification__kind="transfer_received")
        wait_for(
            lambda: not deliveries.filter(status=DeliveryStatus.QUEUED).exists(),
            timeout=90,
            what=f"every notification delivery settled ({workers.logs()[-2000:]})",
        )
        # Every in-app delivery arrives. An email is sent at most once: one the killed worker
        # was sending when it died ends "outcome unknown" (failed, never resent), nothing else.
        assert not deliveries.filter(channel="in_app").exclude(status=DeliveryStatus.SENT).exists()
        unsent = deliveries.filter(channel="email").exclude(status=DeliveryStatus.SENT)
        assert all(e.startswith("Send outcome unknown") for e in unsent.values_list("last_error", flat=True))
        assert unsent.count() <= 1  # the killed worker has one thread: at most the email it was sending
        assert deliveries.values("notification").distinct().count() == MEMBERS * TRANSFERS_EACH
        call_command("verify_ledger")  # exits non-zero on any drift
    finally:
        for web in webs:
            web.stop()
        workers.stop_all()
