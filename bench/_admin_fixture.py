"""The operator console's bench database: demo data at scale plus bulk history.

``build()`` creates (or, with ``reuse=True``, keeps) the MariaDB database
``test_ogc_bench_admin`` and fills it with:

1. ``manage.py seed --demo --users 10000`` (about 92,000 ledger rows, see
   docs/seeding.md), the staff accounts of the demo (operator, auditor) and a
   moderator;
2. extra ledger rows up to ``LEDGER_ROWS`` (200,000): pairs of completed rows of the
   same amount on random wallets that net to zero (a stake and its unstake; a deposit
   and a completed withdrawal of it), so ``verify_ledger`` still holds; the kinds are
   interleaved like a live ledger's, timestamps rising over the last 180 days; they
   are journaled as the posting path would have (``journal_unjournaled_rows``);
3. extra audit entries up to ``AUDIT_ROWS`` (250,000), shaped like the live ones:
   wallet updates (balances before → after), ledger-row creations, named entries
   (``additional_data.action``: deposits, withdrawal decisions, reviews, exports),
   profile updates and a share of empty updates; actors, request ids and remote
   addresses as the middleware writes them;
4. one recorded run of ``verify_ledger`` and ``check_integrity`` (dashboard tiles).

Rows are written by ``demo.bulk.bulk_insert`` (multi-row INSERTs, no signals).
Not a consistent history: the extra rows' balances-after are the wallet's final
balances, and the audit entries describe no real change. They exist to give the
tables the size and the shape of a busy platform.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO

DB_NAME = os.environ.get("BENCH_ADMIN_DB", "test_ogc_bench_admin")
USERS = int(os.environ.get("BENCH_ADMIN_USERS", "10000"))
LEDGER_ROWS = int(os.environ.get("BENCH_ADMIN_LEDGER_ROWS", "200000"))
AUDIT_ROWS = int(os.environ.get("BENCH_ADMIN_AUDIT_ROWS", "250000"))
MODERATOR_EMAIL = "moderator@demo.ogc.local"
STAFF_PASSWORD = "demo-password-2026"
BATCH = 2_000


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = DB_NAME
    import django

    django.setup()


def _log(message: str) -> None:
    sys.stderr.write(f"bench.admin: {message}\n")
    sys.stderr.flush()


def build(*, reuse: bool) -> None:
    """Create (or reuse) the bench database and point the default connection at it."""
    from django.core.management import call_command
    from django.db import connection

    from wallets.models import Transaction

    if connection.vendor != "mysql":
        raise SystemExit("bench.admin needs MariaDB/MySQL (DATABASE_URL).")
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=reuse)
    # Each step tops up what is missing, so a reused database is completed, not rebuilt.
    if not Transaction.objects.exists():
        call_command("seed", "--demo", "--users", str(USERS), stdout=StringIO())
        _log(f"seed --demo --users {USERS}: {time.perf_counter() - started:.1f}s")
    _staff()
    _extra_ledger_rows()
    _extra_audit_entries()
    from core.models import CheckRun

    if not CheckRun.objects.exists():
        call_command("verify_ledger", "--no-progress", stdout=StringIO())
        call_command("check_integrity", stdout=StringIO(), stderr=StringIO())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE transactions, auditlog_logentry, users, notifications")
            cursor.fetchall()
    _log(
        f"ready in {time.perf_counter() - started:.1f}s: {Transaction.objects.count()} ledger rows, "
        f"{_audit_count()} audit entries"
    )


def _audit_count() -> int:
    from auditlog.models import LogEntry

    return LogEntry.objects.count()


def _staff() -> None:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from core.permissions import ROLE_MODERATOR

    moderator, _ = User.objects.get_or_create(
        email=MODERATOR_EMAIL, defaults={"display_name": "Demo moderator", "is_staff": True}
    )
    moderator.set_password(STAFF_PASSWORD)
    moderator.save()
    moderator.groups.add(Group.objects.get(name=ROLE_MODERATOR))


def _extra_ledger_rows() -> None:
    from django.utils import timezone

    from demo.bulk import bulk_insert
    from wallets.models import Direction, Transaction, TransactionKind, TransactionStatus, Wallet

    missing = LEDGER_ROWS - Transaction.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    rng = random.Random(20261127)
    wallets = list(Wallet.objects.filter(available__gte=50).values_list("pk", "user_id", "available", "staked", "held"))
    now = timezone.now()
    start = now - timedelta(days=180)
    step = (now - timedelta(minutes=1) - start) / max(missing, 1)
    rows: list[Transaction] = []
    chains = ["ethereum", "polygon", "base", "arbitrum"]
    for n in range(missing // 2):
        wallet_id, user_id, available, staked, held = rng.choice(wallets)
        amount = Decimal(rng.randint(1, 50))
        at = start + step * (2 * n)
        common = {
            "wallet_id": wallet_id,
            "user_id": user_id,
            "status": TransactionStatus.COMPLETED,
            "amount": amount,
            "available_after": available,
            "staked_after": staked,
            "held_after": held,
        }
        if rng.random() < 0.6:  # a stake and its unstake
            first = {"kind": TransactionKind.STAKE, "direction": Direction.INTERNAL, "actor_id": user_id}
            second = {"kind": TransactionKind.UNSTAKE, "direction": Direction.INTERNAL, "actor_id": user_id}
        else:  # a deposit, withdrawn again
            first = {
                "kind": TransactionKind.DEPOSIT,
                "direction": Direction.CREDIT,
                "external_reference": f"0x{rng.getrandbits(256):064x}",
            }
            second = {
                "kind": TransactionKind.WITHDRAWAL,
                "direction": Direction.DEBIT,
                "actor_id": user_id,
                "chain": rng.choice(chains),
                "destination_address": f"0x{rng.getrandbits(160):040x}",
                "external_reference": f"0x{rng.getrandbits(256):064x}",
            }
        rows.append(Transaction(idempotency_key=f"bench-{n}-a", created_at=at, completed_at=at, **common, **first))
        rows.append(
            Transaction(
                idempotency_key=f"bench-{n}-b", created_at=at + step, completed_at=at + step, **common, **second
            )
        )
        if len(rows) >= 20_000:
            bulk_insert(Transaction, rows, batch_size=BATCH)
            rows = []
    bulk_insert(Transaction, rows, batch_size=BATCH)
    from wallets.services import journal_unjournaled_rows

    entries = journal_unjournaled_rows()
    _log(
        f"ledger rows: {Transaction.objects.count()}, {entries} new journal entries ({time.perf_counter() - started:.1f}s)"
    )


def _extra_audit_entries() -> None:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from accounts.models import User
    from challenges.models import Submission
    from core.audit import AuditAction
    from demo.bulk import bulk_insert
    from wallets.models import Transaction, Wallet

    missing = AUDIT_ROWS - LogEntry.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    rng = random.Random(7)
    ct_wallet = ContentType.objects.get_for_model(Wallet)
    ct_txn = ContentType.objects.get_for_model(Transaction)
    ct_user = ContentType.objects.get_for_model(User)
    ct_submission = ContentType.objects.get_for_model(Submission)
    staff = list(User.objects.filter(is_staff=True).values_list("pk", "email"))
    wallets = list(Wallet.objects.values_list("pk", "user_id", "deposit_address"))
    users = {pk: email for pk, email in User.objects.values_list("pk", "email")}
    txn_ids = list(Transaction.objects.order_by("-pk").values_list("pk", "kind", "amount", "status")[:50_000])
    submissions = list(Submission.objects.values_list("pk", "title")[:5_000])
    named = [
        AuditAction.DEPOSIT_CREATE,
        AuditAction.WITHDRAWAL_APPROVE,
        AuditAction.WITHDRAWAL_REJECT,
        AuditAction.ADJUSTMENT_CREATE,
    ]
    now = timezone.now()
    start = now - timedelta(days=180)
    step = (now - timedelta(minutes=1) - start) / max(missing, 1)
    entries: list[LogEntry] = []
    for n in range(missing):
        at = start + step * n
        roll = rng.random()
        actor = None
        cid = f"{rng.getrandbits(128):032x}"
        addr = f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        extra: dict = {}
        if roll < 0.40:
            wallet_id, user_id, deposit_address = rng.choice(wallets)
            before = Decimal(rng.randint(0, 5000))
            after = before + Decimal(rng.randint(1, 500))
            ct, pk, repr_ = ct_wallet, wallet_id, f"Wallet of {user_id} ({deposit_address})"
            action, changes = LogEntry.Action.UPDATE, {"available": [f"{before:.18f}", f"{after:.18f}"]}
            actor = (user_id, users[user_id])
        elif roll < 0.75:
            pk, kind, amount, status = rng.choice(txn_ids)
            ct, repr_ = ct_txn, f"{kind} {amount} ({status}) #{pk}"
            action = LogEntry.Action.CREATE
            changes = {"kind": ["None", kind], "amount": ["None", f"{amount}"], "status": ["None", status]}
        elif roll < 0.87:
            pk, kind, amount, status = rng.choice(txn_ids)
            ct, repr_ = ct_txn, f"{kind} {amount} ({status}) #{pk}"
            action, changes = LogEntry.Action.UPDATE, {}
            name = rng.choice(named)
            extra = {"action": name.value, "amount": f"{amount}", "transaction": pk}
            actor = rng.choice(staff)
        elif roll < 0.93:
            pk, title = rng.choice(submissions)
            ct, repr_ = ct_submission, title
            action, changes = LogEntry.Action.UPDATE, {}
            extra = {"action": AuditAction.SUBMISSION_REVIEW.value, "decision": "accepted", "score": "7"}
            actor = rng.choice(staff)
        elif roll < 0.97:
            pk = rng.choice(list(users))
            ct, repr_ = ct_user, users[pk]
            action, changes = LogEntry.Action.UPDATE, {"display_name": ["", f"Member {pk}"]}
            actor = (pk, users[pk])
        else:
            pk = rng.choice(list(users))
            ct, repr_ = ct_user, users[pk]
            action, changes = LogEntry.Action.UPDATE, {}
            actor = (pk, users[pk])
        entries.append(
            LogEntry(
                content_type=ct,
                object_pk=str(pk),
                object_id=pk,
                object_repr=repr_,
                action=action,
                changes=changes,
                changes_text=f"action: {extra['action']}" if extra else "",
                actor_id=actor[0] if actor else None,
                actor_email=actor[1] if actor else None,
                cid=cid,
                remote_addr=addr if actor else None,
                timestamp=at,
                additional_data=extra or None,
            )
        )
        if len(entries) >= 20_000:
            bulk_insert(LogEntry, entries, batch_size=BATCH)
            entries = []
    bulk_insert(LogEntry, entries, batch_size=BATCH)
    _log(f"audit entries: {LogEntry.objects.count()} ({time.perf_counter() - started:.1f}s)")


def main() -> None:
    setup_django()
    build(reuse=os.environ.get("BENCH_ADMIN_REUSE") == "1")


if __name__ == "__main__":
    main()
