"""Hot-path SQL on one raw cursor, with the column lists taken from the models.

The hot path (``wallets.services.posting``) writes its rows (the ledger row, its journal
entry and lines, the audit entries, a notification and its deliveries) as plain
parameterised INSERTs on ``connection.cursor()``: the same statements the ORM would
send, without compiling a query for each. The column list of every table is read once
per process from ``Model._meta.concrete_fields`` (``Table.of``), and every value goes
through the field's own ``pre_save`` (auto timestamps) and ``get_db_prep_save`` (the
database form), so a field added to a model is written here too, with its default, or
the INSERT fails loudly (a NOT NULL column without a value) - never silently left out.
``wallets/tests/test_rows.py`` compares what these INSERTs write, column by column, with
what ``Model.save()`` writes for the same objects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model
from django.utils import timezone

#: Field classes (exactly these, not subclasses) whose ``get_db_prep_save`` returns a
#: value of these Python types unchanged on every backend (``None`` too): the value is
#: sent as it is instead of through the field's conversion chain. Anything else (dates,
#: JSON, IP addresses, subclasses with their own conversion) goes through the field.
_PASSTHROUGH: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
    models.EmailField: (str,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
    models.DecimalField: (Decimal,),
}


def _passthrough_types(field: Any) -> tuple[type, ...]:
    """The exact types (``type(v) in ...``: a bool is not let through as an int) whose
    values ``field`` sends unchanged."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return (type(None), *_PASSTHROUGH.get(type(target), ()))


def _db() -> Any:
    """This thread's default connection (resolved once per statement, not per value)."""
    return connections[DEFAULT_DB_ALIAS]


class Table:
    """The INSERT of one model: its concrete columns but an auto-increment primary key."""

    _cache: dict[tuple[type[Model], str], Table] = {}

    def __init__(self, model: type[Model], vendor_connection: Any) -> None:
        opts = model._meta
        self.model = model
        auto_pk = opts.pk is not None and opts.pk.get_internal_type() in {"AutoField", "BigAutoField"}
        self.fields = [f for f in opts.concrete_fields if not (auto_pk and f.primary_key)]
        self.auto_pk = auto_pk
        self.columns = [f.column for f in self.fields]
        quote = vendor_connection.ops.quote_name
        # Identifiers from the model's Meta, quoted; every value is a parameter.
        self.head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
            quote(opts.db_table), ", ".join(quote(c) for c in self.columns)
        )
        self.placeholder = "({})".format(", ".join(["%s"] * len(self.fields)))
        self.plan = [(f, f.attname, _passthrough_types(f)) for f in self.fields]
        # What ``Model.__init__`` + ``save()`` would give a column the caller left out.
        self.missing: list[tuple[str, Callable[[], Any]]] = []
        for f in self.fields:
            stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            self.missing.append((f.attname, _now if stamped else f.get_default))

    @classmethod
    def of(cls, model: type[Model], db: Any = None) -> Table:
        db = db or _db()
        key = (model, db.vendor)
        table = cls._cache.get(key)
        if table is None:
            table = cls._cache[key] = cls(model, db)
        return table

    def values(self, obj: Model, db: Any) -> list[Any]:
        """The database values of ``obj``'s columns, as ``Model.save()`` would send them
        for an INSERT (auto_now/auto_now_add timestamps are set on ``obj`` here)."""
        out = []
        for f, _attname, fast in self.plan:
            value = f.pre_save(obj, True)
            out.append(value if type(value) in fast else f.get_db_prep_save(value, db))
        return out

    def values_of(self, row: Mapping[str, Any], db: Any) -> list[Any]:
        """The same for a row given as ``{attname: value}`` without a model instance:
        a column left out gets what a new instance would (its default, or now for an
        auto timestamp)."""
        out = []
        for (f, attname, fast), (_name, default) in zip(self.plan, self.missing, strict=True):
            value = row[attname] if attname in row else default()
            out.append(value if type(value) in fast else f.get_db_prep_save(value, db))
        return out


def _now() -> Any:
    return timezone.now()


def insert_one(obj: Model) -> Model:
    """INSERT ``obj`` (one statement) and give it its new primary key."""
    db = _db()
    table = Table.of(type(obj), db)
    with db.cursor() as cursor:
        cursor.execute(table.head + table.placeholder, table.values(obj, db))
        if table.auto_pk:
            obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = db.alias
    return obj


def insert_values(model: type[Model], row: Mapping[str, Any]) -> int | None:
    """INSERT one row of ``model`` given as ``{attname: value}``; its new primary key."""
    db = _db()
    table = Table.of(model, db)
    with db.cursor() as cursor:
        cursor.execute(table.head + table.placeholder, table.values_of(row, db))
        return cursor.lastrowid if table.auto_pk else None


def insert_many(objs: Sequence[Model]) -> None:
    """INSERT ``objs`` (all of one model) in ONE statement; their primary keys are not
    read back (the callers never need them)."""
    if not objs:
        return
    db = _db()
    table = Table.of(type(objs[0]), db)
    params: list[Any] = []
    for obj in objs:
        params.extend(table.values(obj, db))
        obj._state.adding = False
        obj._state.db = db.alias
    with db.cursor() as cursor:
        cursor.execute(table.head + ", ".join([table.placeholder] * len(objs)), params)


def insert_many_values(model: type[Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """INSERT rows of ``model`` given as ``{attname: value}`` in ONE statement."""
    db = _db()
    table = Table.of(model, db)
    params: list[Any] = []
    count = 0
    for row in rows:
        params.extend(table.values_of(row, db))
        count += 1
    if count:
        with db.cursor() as cursor:
            cursor.execute(table.head + ", ".join([table.placeholder] * count), params)
    return count


@functools.cache
def _update(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple[str, list[Any]]:
    opts = model._meta
    fields: list[Any] = [opts.get_field(name) for name in names]
    quote = _db().ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - quoted identifiers, values are parameters
        quote(opts.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(opts.pk.column)
    )
    return sql, [(f, _passthrough_types(f)) for f in fields]


def update_fields(obj: Model, names: Sequence[str]) -> int:
    """``obj.save(update_fields=names)`` as one plain UPDATE (auto_now fields among
    ``names`` are stamped, like ``save`` does); no signals. Rows it touched."""
    db = _db()
    sql, plan = _update(type(obj), tuple(names), db.vendor)
    params = []
    for f, fast in plan:
        value = f.pre_save(obj, False)
        params.append(value if type(value) in fast else f.get_db_prep_save(value, db))
    params.append(obj.pk)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@functools.cache
def _select(
    model: type[Model], field_names: tuple[str, ...], where: str, vendor: str
) -> tuple[str, list[str], list[tuple]]:
    db = _db()
    opts = model._meta
    fields: list[Any] = [opts.get_field(name) for name in field_names]
    quote = db.ops.quote_name
    columns = {f.attname: quote(f.column) for f in opts.concrete_fields}
    sql = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608 - quoted identifiers; ``where`` is the caller's constant
        ", ".join(quote(f.column) for f in fields), quote(opts.db_table), where.format(**columns)
    )
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(opts.db_table)
        for func in [*f.get_db_converters(db), *db.ops.get_db_converters(col)]:
            converters.append((i, func, col))
    return sql, [f.attname for f in fields], converters


def select_rows(model: type[Model], field_names: Sequence[str], where: str, params: Sequence[Any]) -> list[Any]:
    """``SELECT field_names FROM model's table WHERE where`` on the raw cursor, as model
    instances holding only those fields (like ``.only(*field_names)``), each value passed
    through the converters the ORM would apply. ``where`` names columns as ``{attname}``."""
    db = _db()
    sql, attnames, converters = _select(model, tuple(field_names), where, db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        values = list(row)
        for i, func, col in converters:
            values[i] = func(values[i], col, db)
        out.append(model.from_db(db.alias, attnames, values))
    return out


def select_value(sql: str, params: Sequence[Any], output_field: Any) -> Any:
    """The one value ``sql`` returns (an aggregate), converted as the ORM converts an
    expression of ``output_field`` (e.g. a SUM of decimals on SQLite)."""
    from django.db.models import Value

    db = _db()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    value = row[0] if row else None
    expression = Value(None, output_field=output_field)
    for func in [*output_field.get_db_converters(db), *db.ops.get_db_converters(expression)]:
        value = func(value, expression, db)
    return value


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple]:
    """The rows ``sql`` returns, as the driver gives them (ids, strings: no conversion)."""
    with _db().cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
