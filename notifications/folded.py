"""A notification and its deliveries in two INSERTs on the raw cursor (``core.rows``),
the members' opt-outs folded into the second: the ledger's hot path (issue #16, item 8).
Used by ``notifications.services.notify`` for a new event of a kind that always has a
delivery; the rows are the ones ``notify``'s ORM path writes (the tests compare them)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from core.rows import Table, insert_one
from notifications.kinds import Channel, is_locked
from notifications.models import Notification, NotificationDelivery, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User

_CHANNELS = tuple(Channel.values)


def can_fold(kind: str) -> bool:
    """Whether ``kind`` always has a delivery (a channel nobody may turn off), so the
    notification can be written before its opt-outs are known, and the database can
    return the ids of rows an INSERT ... SELECT wrote."""
    return any(is_locked(kind=kind, channel=c) for c in _CHANNELS) and (
        connection.features.can_return_rows_from_bulk_insert
    )


@functools.cache
def _folded_deliveries_sql(kind: str, vendor: str) -> tuple[str, tuple[bool, ...]]:
    """``INSERT INTO notification_deliveries (...) SELECT <row of channel 1> [WHERE the
    user has not turned it off] UNION ALL ... RETURNING id, channel``: the deliveries
    with the opt-outs folded in (one statement instead of a SELECT of the preferences
    and an INSERT). Per channel, whether it carries the opt-out condition."""
    table = Table.of(NotificationDelivery)
    quote = connection.ops.quote_name
    prefs = quote(NotificationPreference._meta.db_table)
    opt_out = (
        f" WHERE NOT EXISTS (SELECT 1 FROM {prefs} p WHERE p.{quote('user_id')} = %s AND p.{quote('kind')} = %s"  # noqa: S608
        f" AND p.{quote('channel')} = %s AND p.{quote('enabled')} = %s)"
    )
    optional = tuple(not is_locked(kind=kind, channel=c) for c in _CHANNELS)
    placeholders = ", ".join(["%s"] * len(table.columns))
    row = f"SELECT {placeholders} FROM (SELECT 1 AS one) o"  # noqa: S608 - placeholders only
    selects = [row + (opt_out if can_opt_out else "") for can_opt_out in optional]
    sql = "{}{} RETURNING {}, {}".format(
        table.head.removesuffix("VALUES "),
        " UNION ALL ".join(selects),
        quote(NotificationDelivery._meta.pk.column),
        quote("channel"),
    )
    return sql, optional


def notification_write_folded(
    user: User, kind: str, title: str, body: str, data: dict | None, event_id: str | None
) -> tuple[Notification, list[tuple[int, str]]]:
    """Two INSERTs on the raw cursor (``core.rows``): the notification, then its
    deliveries for the channels the user has not turned off (``_folded_deliveries_sql``)."""
    notification = insert_one(
        Notification(recipient=user, kind=kind, title=title, body=body, data=data or {}, event_id=event_id)
    )
    sql, optional = _folded_deliveries_sql(kind, connection.vendor)
    table = Table.of(NotificationDelivery)
    db = connection
    now = timezone.now()
    params: list[Any] = []
    for channel, can_opt_out in zip(_CHANNELS, optional, strict=True):
        params += table.values_of({"notification_id": notification.pk, "channel": channel, "queued_at": now}, db)
        if can_opt_out:
            params += [user.pk, kind, channel, False]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pairs = [(pk, channel) for pk, channel in cursor.fetchall()]
    return notification, pairs
