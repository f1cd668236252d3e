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
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


class Table:
    """The INSERT of one model: its concrete columns but an auto-increment primary key."""

    _cache: dict[type[Model], Table] = {}

    def __init__(self, model: type[Model]) -> None:
        opts = model._meta
        self.model = model
        self.pk = opts.pk
        auto_pk = opts.pk is not None and opts.pk.get_internal_type() in {"AutoField", "BigAutoField"}
        self.fields = [f for f in opts.concrete_fields if not (auto_pk and f.primary_key)]
        self.auto_pk = auto_pk
        self.columns = [f.column for f in self.fields]
        quote = connection.ops.quote_name
        # Identifiers from the model's Meta, quoted; every value is a parameter.
        self.head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
            quote(opts.db_table), ", ".join(quote(c) for c in self.columns)
        )
        self.placeholder = "({})".format(", ".join(["%s"] * len(self.fields)))

    @classmethod
    def of(cls, model: type[Model]) -> Table:
        table = cls._cache.get(model)
        if table is None:
            table = cls._cache[model] = cls(model)
        return table

    def values(self, obj: Model) -> list[Any]:
        """The database values of ``obj``'s columns, as ``Model.save()`` would send them
        for an INSERT (auto_now/auto_now_add timestamps are set on ``obj`` here)."""
        return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in self.fields]


def insert_one(obj: Model) -> Model:
    """INSERT ``obj`` (one statement) and give it its new primary key."""
    table = Table.of(type(obj))
    params = table.values(obj)
    with connection.cursor() as cursor:
        cursor.execute(table.head + table.placeholder, params)
        if table.auto_pk:
            obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_many(objs: Sequence[Model]) -> None:
    """INSERT ``objs`` (all of one model) in ONE statement; their primary keys are not
    read back (the callers never need them)."""
    if not objs:
        return
    table = Table.of(type(objs[0]))
    params: list[Any] = []
    for obj in objs:
        params.extend(table.values(obj))
        obj._state.adding = False
        obj._state.db = connection.alias
    with connection.cursor() as cursor:
        cursor.execute(table.head + ", ".join([table.placeholder] * len(objs)), params)


@functools.cache
def _update(model: type[Model], names: tuple[str, ...]) -> tuple[str, list[Any]]:
    opts = model._meta
    fields = [opts.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - quoted identifiers, values are parameters
        quote(opts.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(opts.pk.column)
    )
    return sql, fields


def update_fields(obj: Model, names: Sequence[str]) -> int:
    """``obj.save(update_fields=names)`` as one plain UPDATE (auto_now fields among
    ``names`` are stamped, like ``save`` does); no signals. Rows it touched."""
    sql, fields = _update(type(obj), tuple(names))
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    params.append(obj.pk)
    return execute(sql, params)


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement on the raw cursor; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@functools.cache
def _select(model: type[Model], field_names: tuple[str, ...], where: str) -> tuple[str, list[str], list[tuple]]:
    opts = model._meta
    fields = [opts.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    columns = {f.attname: quote(f.column) for f in opts.concrete_fields}
    sql = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608 - quoted identifiers; ``where`` is the caller's constant
        ", ".join(quote(f.column) for f in fields), quote(opts.db_table), where.format(**columns)
    )
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(opts.db_table)
        for func in [*f.get_db_converters(connection), *connection.ops.get_db_converters(col)]:
            converters.append((i, func, col))
    return sql, [f.attname for f in fields], converters


def select_rows(model: type[Model], field_names: Sequence[str], where: str, params: Sequence[Any]) -> list[Any]:
    """``SELECT field_names FROM model's table WHERE where`` on the raw cursor, as model
    instances holding only those fields (like ``.only(*field_names)``), each value passed
    through the converters the ORM would apply. ``where`` names columns as ``{attname}``."""
    sql, attnames, converters = _select(model, tuple(field_names), where)
    out = []
    for row in fetch_all(sql, params):
        values = list(row)
        for i, func, col in converters:
            values[i] = func(values[i], col, connection)
        out.append(model.from_db(connection.alias, attnames, values))
    return out
