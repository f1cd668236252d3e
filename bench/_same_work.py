"""The "same-work raw" path of ``bench/ledger.py``: exactly ours' statements and rows,
written by hand on a mysqlclient cursor, with the column lists ours uses
(``core.rows.Table``, i.e. the models' concrete fields). ``check_same_rows`` proves the
rows equal ours, column by column, before anything is measured."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

ONE = Decimal(1)
DAY = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(value: Any) -> Any:
    """How auditlog's JSON changes show a value (datetimes and Decimals as strings)."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Insert:
    """An INSERT of a model's table: ours' column list, and its defaults by column."""

    def __init__(self, model: type) -> None:
        from django.db import connection

        from core.rows import Table

        table = Table.of(model, connection)
        self.columns = table.columns
        self.head = table.head
        self.placeholder = table.placeholder
        self.defaults: dict[str, Any] = {}
        self.stamped: list[str] = []  # auto timestamps and "default=now" columns: the time of the write
        for f in table.fields:
            value = f.get_default()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or isinstance(value, datetime):
                self.stamped.append(f.column)
            self.defaults[f.column] = json.dumps(value) if isinstance(value, dict | list) else value

    def sql(self, rows: int = 1) -> str:
        return self.head + ", ".join([self.placeholder] * rows)

    def full(self, row: dict[str, Any], now: datetime) -> dict[str, Any]:
        return {**self.defaults, **dict.fromkeys(self.stamped, now), **row}

    def params(self, *rows: dict[str, Any], now: datetime) -> list[Any]:
        out: list[Any] = []
        for row in rows:
            values = self.full(row, now)
            out.extend(values[c] for c in self.columns)
        return out


class SameWork:
    def __init__(self, conn) -> None:
        from auditlog.models import LogEntry
        from django.conf import settings
        from django.contrib.contenttypes.models import ContentType

        from accounts.models import User
        from notifications.models import Notification, NotificationDelivery
        from wallets.lock_objects import LOCKED_WALLET_FIELDS
        from wallets.models import JournalEntry, JournalLine, Transaction, Wallet

        self.conn, self.cursor = conn, conn.cursor()
        self.txn, self.entry, self.line = _Insert(Transaction), _Insert(JournalEntry), _Insert(JournalLine)
        self.audit, self.note, self.delivery = _Insert(LogEntry), _Insert(Notification), _Insert(NotificationDelivery)
        self.ct_wallet = ContentType.objects.get_for_model(Wallet).pk
        self.ct_txn = ContentType.objects.get_for_model(Transaction).pk
        self.symbol = settings.OGC_TOKEN_SYMBOL
        columns = ", ".join(f"`{Wallet._meta.get_field(n).column}`" for n in LOCKED_WALLET_FIELDS)
        self.lock_one = f"SELECT {columns} FROM `wallets` WHERE `user_id` = %s ORDER BY `id` FOR UPDATE"
        self.lock_two = f"SELECT {columns} FROM `wallets` WHERE `id` IN (%s, %s) ORDER BY `id` FOR UPDATE"
        self.update = (
            "UPDATE `wallets` SET `available` = %s, `staked` = %s, `held` = %s, `updated_at` = %s WHERE `id` = %s"
        )
        user_cols = ", ".join(f"u.`{f.column}`" for f in User._meta.concrete_fields)
        wallet_cols = ", ".join(f"w.`{f.column}`" for f in Wallet._meta.concrete_fields)
        self.recipient = (
            f"SELECT {user_cols}, {wallet_cols} FROM `users` u LEFT OUTER JOIN `wallets` w ON w.`user_id` = u.`id` "
            "WHERE u.`email` = %s ORDER BY u.`id` LIMIT 1"
        )
        self.email_index = [f.name for f in User._meta.concrete_fields].index("email")
        self.active_index = [f.name for f in User._meta.concrete_fields].index("is_active")
        self.user_count = len(User._meta.concrete_fields)
        self.deliveries = (
            self.delivery.head.removesuffix("VALUES ")
            + " UNION ALL ".join(
                [
                    "SELECT {} FROM (SELECT 1 AS one) o".format(", ".join(["%s"] * len(self.delivery.columns))),
                    "SELECT {} FROM (SELECT 1 AS one) o WHERE NOT EXISTS (SELECT 1 FROM `notification_preferences` p"
                    " WHERE p.`user_id` = %s AND p.`kind` = %s AND p.`channel` = %s AND p.`enabled` = %s)".format(
                        ", ".join(["%s"] * len(self.delivery.columns))
                    ),
                ]
            )
            + " RETURNING `id`, `channel`"
        )

    # -- the pieces ----------------------------------------------------------------------------

    def _begin(self) -> None:
        self.conn.autocommit(False)  # what Django's atomic() sends

    def _commit(self) -> None:
        self.conn.commit()
        self.conn.autocommit(True)

    def _move(self, wallet: list, d_available: Decimal, d_staked: Decimal, now: datetime) -> tuple:
        before = (wallet[3], wallet[4], wallet[5])
        wallet[3] += d_available
        wallet[4] += d_staked
        if wallet[3] < 0 or wallet[4] < 0:
            self.conn.rollback()
            raise RuntimeError("insufficient funds in the same-work path")
        self.cursor.execute(self.update, (wallet[3], wallet[4], wallet[5], now, wallet[0]))
        return before

    def _row(self, wallet: list, kind: str, direction: str, now: datetime, **extra: Any) -> tuple[int, dict]:
        row = {
            "wallet_id": wallet[0],
            "user_id": wallet[1],
            "kind": kind,
            "status": "completed",
            "direction": direction,
            "amount": ONE,
            "available_after": wallet[3],
            "staked_after": wallet[4],
            "held_after": wallet[5],
            "completed_at": now,
            **extra,
        }
        self.cursor.execute(self.txn.sql(), self.txn.params(row, now=now))
        return self.cursor.lastrowid, self.txn.full(row, now)

    def _entry(self, kind: str, txn_id: int, actor: int, now: datetime, lines: list[dict]) -> None:
        entry = {"kind": kind, "status": "completed", "transaction_id": txn_id, "actor_id": actor}
        self.cursor.execute(self.entry.sql(), self.entry.params(entry, now=now))
        entry_id = self.cursor.lastrowid
        rows = ({"entry_id": entry_id} | line for line in lines)
        self.cursor.execute(self.line.sql(len(lines)), self.line.params(*rows, now=now))

    def _wallet_audit(self, wallet: list, before: tuple, now: datetime) -> dict:
        changes = {
            name: [str(old), str(new)]
            for name, old, new in zip(("available", "staked", "held"), before, wallet[3:6], strict=True)
            if old != new
        }
        return {
            "content_type_id": self.ct_wallet,
            "object_pk": str(wallet[0]),
            "object_id": wallet[0],
            "object_repr": f"Wallet of {wallet[1]} ({wallet[6]})",
            "action": 1,
            "changes": json.dumps(changes),
        }

    def _row_audit(self, txn_id: int, row: dict, now: datetime) -> dict:
        # auditlog's CREATE diff: every field with a value, foreign keys by field name.
        fields = {"id": txn_id, **row}
        names = {c: c.removesuffix("_id") if c.endswith("_id") and c != "source_id" else c for c in fields}
        changes = {names[c]: [None, _text(v)] for c, v in fields.items() if v is not None}
        return {
            "content_type_id": self.ct_txn,
            "object_pk": str(txn_id),
            "object_id": txn_id,
            "object_repr": f"{row['kind']} {row['amount']} (completed) #{txn_id}",
            "action": 0,
            "changes": json.dumps(changes),
        }

    # -- the operations ------------------------------------------------------------------------

    def stake(self, user_id: int, kind: str, d_available: Decimal, d_staked: Decimal) -> None:
        self._begin()
        now = _now()
        self.cursor.execute(self.lock_one, (user_id,))
        wallet = list(self.cursor.fetchone())
        before = self._move(wallet, d_available, d_staked, now)
        txn_id, row = self._row(wallet, kind, "internal", now, actor_id=user_id)
        lines = [
            {"wallet_id": wallet[0], "bucket": "available", "amount": d_available},
            {"wallet_id": wallet[0], "bucket": "staked", "amount": d_staked},
        ]
        self._entry(kind, txn_id, user_id, now, lines)
        audits = (self._wallet_audit(wallet, before, now), self._row_audit(txn_id, row, now))
        self.cursor.execute(self.audit.sql(2), self.audit.params(*audits, now=now))
        self._commit()

    def stake_round_trip(self, user_id: int) -> Callable[[], None]:
        def round_trip() -> None:
            self.stake(user_id, "stake", -ONE, ONE)
            self.stake(user_id, "unstake", ONE, -ONE)

        return round_trip

    def transfer(self, sender: tuple, recipient_email: str) -> None:
        """``sender`` = (user id, email, display name)."""
        self._begin()
        now = _now()
        self.cursor.execute(self.recipient, (recipient_email,))
        found = self.cursor.fetchone()
        if found is None or not found[self.active_index]:
            raise RuntimeError("no recipient")
        receiver_user, receiver_wallet_id = found[0], found[self.user_count]
        self.cursor.execute("SELECT `id` FROM `wallets` WHERE `user_id` = %s LIMIT 1", (sender[0],))
        sender_wallet_id = self.cursor.fetchone()[0]
        self.cursor.execute(self.lock_two, tuple(sorted((sender_wallet_id, receiver_wallet_id))))
        locked = {w[0]: list(w) for w in self.cursor.fetchall()}
        out_wallet, in_wallet = locked[sender_wallet_id], locked[receiver_wallet_id]
        self.cursor.execute(
            "SELECT SUM(`amount`) FROM `transactions` WHERE `wallet_id` = %s AND `kind` = %s AND `status` = %s "
            "AND `created_at` > %s",
            (sender_wallet_id, "transfer_out", "completed", now - DAY),
        )
        self.cursor.fetchone()
        out_before = self._move(out_wallet, -ONE, Decimal(0), now)
        out_id, out_row = self._row(out_wallet, "transfer_out", "debit", now, actor_id=sender[0])
        lines = [
            {"wallet_id": out_wallet[0], "bucket": "available", "amount": -ONE},
            {"wallet_id": in_wallet[0], "bucket": "available", "amount": ONE},
        ]
        self._entry("transfer_out", out_id, sender[0], now, lines)
        in_before = self._move(in_wallet, ONE, Decimal(0), now)
        in_id, in_row = self._row(
            in_wallet, "transfer_in", "credit", now, actor_id=sender[0], source_type_id=self.ct_txn, source_id=out_id
        )
        named = {
            "content_type_id": self.ct_txn,
            "object_pk": str(out_id),
            "object_id": out_id,
            "object_repr": f"transfer_out 1 (completed) #{out_id}",
            "action": 1,
            "changes": "{}",
            "changes_text": "action: transfer_create",
            "additional_data": json.dumps(
                {"action": "transfer_create", "amount": "1", "recipient_id": receiver_user, "received_id": in_id}
                | {"memo": ""}
            ),
            "actor_id": sender[0],
            "actor_email": sender[1],
        }
        audits = (
            self._wallet_audit(out_wallet, out_before, now),
            self._row_audit(out_id, out_row, now),
            self._wallet_audit(in_wallet, in_before, now),
            self._row_audit(in_id, in_row, now),
            named,
        )
        self.cursor.execute(self.audit.sql(5), self.audit.params(*audits, now=now))
        note = {
            "recipient_id": receiver_user,
            "kind": "transfer_received",
            "title": "Tokens received",
            "body": f"{sender[2]} sent you 1 {self.symbol}.",
            "data": json.dumps(
                {
                    "transaction_id": in_id,
                    "kind": "transfer_in",
                    "status": "completed",
                    "amount": "1",
                    "available": str(in_wallet[3]),
                }
            ),
            "event_id": f"ledger:{in_id}:completed",
        }
        self.cursor.execute(self.note.sql(), self.note.params(note, now=now))
        note_id = self.cursor.lastrowid
        in_app = self.delivery.params({"notification_id": note_id, "channel": "in_app", "queued_at": now}, now=now)
        email = self.delivery.params({"notification_id": note_id, "channel": "email", "queued_at": now}, now=now)
        self.cursor.execute(self.deliveries, [*in_app, *email, receiver_user, "transfer_received", "email", False])
        self.cursor.fetchall()
        self._commit()

    def transfer_round_trip(self, a: int, b: int) -> Callable[[], None]:
        from accounts.models import User
        from wallets.selectors.transfers import member_label

        users = {u.pk: u for u in User.objects.filter(pk__in=[a, b])}
        ua, ub = users[a], users[b]
        sa, sb = (a, ua.email, member_label(ua)), (b, ub.email, member_label(ub))

        def round_trip() -> None:
            self.transfer(sa, ub.email)
            self.transfer(sb, ua.email)

        return round_trip


# --- the proof that the rows are ours' ------------------------------------------------------------

#: Columns that differ between two writes of the same operation (ids, times, who).
VARYING = {
    "id", "wallet_id", "user_id", "actor_id", "transaction_id", "entry_id", "recipient_id", "notification_id",
    "content_type_id", "object_pk", "object_id", "object_repr", "created_at", "completed_at", "updated_at",
    "timestamp", "queued_at", "source_id", "event_id", "actor_email", "available_after", "staked_after",
    "held_after", "body",
}  # fmt: skip


def _last_rows(model, count: int, **filters) -> list[dict]:
    names = [f.attname for f in model._meta.concrete_fields]
    rows = list(model.objects.filter(**filters).order_by("-pk").values(*names)[:count])
    return [{k: v for k, v in row.items() if k not in VARYING} for row in reversed(rows)]


def _json_keys(rows: list[dict]) -> list:
    """Rows with their JSON columns reduced to their keys (the values hold ids and times)."""
    out = []
    for row in rows:
        row = dict(row)
        for name in ("changes", "additional_data", "data"):
            if isinstance(row.get(name), dict):
                row[name] = sorted(row[name])
        out.append(row)
    return out


def check_same_rows(raw_connection: Callable[[], Any], members: Callable[[int, str], list[int]]) -> None:
    """One stake+unstake and one transfer each way by ours and by same-work raw: every
    row they wrote (ledger rows, entries, lines, audit entries, notifications,
    deliveries) has the same columns with the same values, ids and times aside."""
    from auditlog.models import LogEntry

    from bench.ledger import _ours_stake, _ours_transfer
    from notifications.models import Notification, NotificationDelivery
    from wallets.models import JournalEntry, JournalLine, Transaction

    def written(run: Callable[[], None], counts: dict[str, int]) -> dict[str, Any]:
        run()
        models = {
            "transactions": Transaction,
            "entries": JournalEntry,
            "lines": JournalLine,
            "audit": LogEntry,
            "notifications": Notification,
            "deliveries": NotificationDelivery,
        }
        return {name: _json_keys(_last_rows(models[name], count)) for name, count in counts.items()}

    stake = {"transactions": 2, "entries": 2, "lines": 4, "audit": 4}
    transfer = {"transactions": 4, "entries": 2, "lines": 4, "audit": 10, "notifications": 2, "deliveries": 4}

    ours_stake = written(_ours_stake(tuple(members(1, "check-ours-s"))), stake)
    same_stake = written(SameWork(raw_connection()).stake_round_trip(members(1, "check-same-s")[0]), stake)
    ours_transfer = written(_ours_transfer(tuple(members(2, "check-ours-t"))), transfer)
    same_transfer = written(SameWork(raw_connection()).transfer_round_trip(*members(2, "check-same-t")), transfer)
    for ours, same, what in ((ours_stake, same_stake, "stake"), (ours_transfer, same_transfer, "transfer")):
        for table in ours:
            if ours[table] != same[table]:
                raise AssertionError(f"{what}: same-work raw wrote other {table} rows:\n{ours[table]}\n{same[table]}")
