"""Bulk writing helpers of the demo-data generator.

``bulk_insert`` writes unsaved model instances in batches, *verbatim*: it uses the
insert path Django's own fixture loading uses (``QuerySet._insert(raw=True)``,
as ``Model.save_base(raw=True)`` does for ``loaddata``), so ``auto_now`` /
``auto_now_add`` fields keep the timestamps the generator chose instead of being
stamped with the current time (``bulk_create`` calls ``pre_save`` and would
overwrite them; toggling the fields' ``auto_now_add`` flag instead would change
the model for every thread of the process). Primary keys come back through
``INSERT ... RETURNING`` (MariaDB >= 10.5, SQLite >= 3.35) and are set on the
instances, so later batches can point at them.

On MariaDB/MySQL the batches are written by one multi-row ``INSERT ...
RETURNING`` built here with the values prepared per column (``_converter``):
Django's per-value compiler path was most of the build's time. Other databases
take Django's own insert path.

Like ``bulk_create``, it sends no signals: no wallet is created for a user, no
audit entry is written. The caller owns both (see ``demo.builder``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC
from decimal import Decimal
from operator import attrgetter
from typing import Any, TextIO

from django.conf import settings
from django.db import connections, models, router

DEFAULT_BATCH_SIZE = 1_000


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = DEFAULT_BATCH_SIZE):
    """Insert ``objs`` (unsaved instances of ``model``) in batches; set their pks."""
    if not objs:
        return objs
    db = router.db_for_write(model)
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    returning = meta.db_returning_fields
    connection = connections[db]
    if connection.vendor == "mysql" and connection.features.can_return_rows_from_bulk_insert:
        insert = _mysql_inserter(model, fields, returning, connection)
    else:
        queryset = model._base_manager.using(db)

        def insert(batch):
            return queryset._insert(batch, fields=fields, returning_fields=returning, raw=True, using=db)

    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        for obj in batch:
            # Copies the pk of a related instance saved earlier into ``<fk>_id``
            # (and refuses an unsaved one), as bulk_create does.
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
        rows = insert(batch)
        for obj, row in zip(batch, rows, strict=True):
            for field, value in zip(returning, row, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = db
    return objs


# Field types whose Python values MySQLdb escapes exactly as Django would send them.
_VERBATIM = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.GenericIPAddressField,
)


def _converter(field: models.Field, connection) -> Callable[[Any], Any]:
    """How one column's values go to the driver. Django's generic path
    (``get_db_prep_save`` and the SQL compiler, per value) dominated the build's
    time; for the column types our models use, the driver takes the value as it
    is (Decimals too), or, for datetimes, the naive UTC the MySQL backend sends.
    Any other type takes Django's own path."""
    if isinstance(field, models.DateTimeField):
        if not settings.USE_TZ:
            return lambda value: field.get_db_prep_save(value, connection)

        def to_utc(value):
            if value is None or value.tzinfo is None:  # naive: Django's path (it warns and converts)
                return field.get_db_prep_save(value, connection)
            return value.astimezone(UTC).replace(tzinfo=None)

        return to_utc
    if isinstance(field, models.DecimalField):
        return lambda value: value if isinstance(value, Decimal) else field.get_db_prep_save(value, connection)
    if isinstance(field, _VERBATIM):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _mysql_inserter(model, fields, returning, connection) -> Callable[[Sequence[models.Model]], list]:
    """One multi-row ``INSERT ... RETURNING`` per batch, values prepared per column."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    returned = ", ".join(quote(f.column) for f in returning)
    getters = [(attrgetter(f.attname), _converter(f, connection)) for f in fields]
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(model._meta.db_table)

    def insert(batch: Sequence[models.Model]) -> list:
        params: list[Any] = []
        for obj in batch:
            params.extend(convert(get(obj)) for get, convert in getters)
        # Identifiers come from the model's metadata (quoted); every value is a parameter.
        values = ", ".join([row_sql] * len(batch))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {returned}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return insert


class Progress:
    """One line per phase on stderr: what was written, how long it took, total time."""

    def __init__(self, stream: TextIO | None = None, *, prefix: str = "demo") -> None:
        self.stream = stream or sys.stderr
        self.prefix = prefix
        self.started = time.perf_counter()
        self.phase_started = self.started

    def done(self, phase: str, detail: str) -> None:
        now = time.perf_counter()
        self.stream.write(
            f"{self.prefix}: {phase:<14} {detail} ({now - self.phase_started:.2f}s, total {now - self.started:.2f}s)\n"
        )
        self.stream.flush()
        self.phase_started = now

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
