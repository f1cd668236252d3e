"""What the generators read from the live model registry: tables, relations, keys.

Everything is derived from ``django.apps.apps`` at call time and returned sorted,
so every document is deterministic and follows model changes without edits here.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import CommandError
from django.db import models

# Relation kinds as the documents write them.
ONE_TO_ONE = "1-1"
ONE_TO_MANY = "1-N"
MANY_TO_MANY = "N-N"


@dataclass(frozen=True)
class Relation:
    """One relation declared on ``source`` (a FK, a one-to-one or a many-to-many)."""

    kind: str
    source: type[models.Model]
    target: type[models.Model]
    field_name: str
    column: str  # the FK column on the source table ("" for many-to-many)
    target_column: str
    nullable: bool
    on_delete: str
    through_table: str = ""  # many-to-many only
    through_is_model: bool = False  # an explicit ``through=`` model (it is an entity itself)

    @property
    def source_table(self) -> str:
        return self.source._meta.db_table

    @property
    def target_table(self) -> str:
        return self.target._meta.db_table


def _sort_key(model: type[models.Model]) -> tuple[str, str]:
    return (model._meta.app_label, model._meta.db_table)


def has_table(model: type[models.Model]) -> bool:
    """A model whose table migrations create (not a proxy, not unmanaged)."""
    return not model._meta.proxy and model._meta.managed


def all_models(*, include_auto_created: bool = False) -> list[type[models.Model]]:
    """Every installed, non-swapped model (concrete and proxy), sorted by app then
    table; ``include_auto_created`` adds the implicit many-to-many join tables."""
    return sorted(apps.get_models(include_auto_created=include_auto_created), key=_sort_key)


def table_models(app_label: str | None = None, *, include_auto_created: bool = False) -> list[type[models.Model]]:
    """The models that own a table, optionally of one app."""
    return [
        m
        for m in all_models(include_auto_created=include_auto_created)
        if has_table(m) and (app_label is None or m._meta.app_label == app_label)
    ]


def tableless_models(app_label: str) -> list[type[models.Model]]:
    """Proxy and unmanaged models of an app: documented, but they have no table of their own."""
    return [m for m in all_models() if not has_table(m) and m._meta.app_label == app_label]


def app_labels() -> list[str]:
    """Labels of the apps that declare at least one model, sorted."""
    return sorted({m._meta.app_label for m in all_models()})


def require_app(label: str) -> str:
    """``label`` if it is an app with models; a one-line CommandError otherwise."""
    labels = app_labels()
    if label not in labels:
        raise CommandError(f"Unknown app label {label!r}; apps with models: {', '.join(labels)}.")
    return label


def purpose(model: type[models.Model]) -> str:
    """The model's own docstring, or "" when it has none (Django then fills
    ``__doc__`` with a signature such as ``Wallet(id, user, ...)``: not a purpose)."""
    doc = model.__dict__.get("__doc__") or ""
    if doc.startswith(f"{model.__name__}(") and doc.endswith(")") and "\n" not in doc:
        return ""
    return inspect.cleandoc(doc)


def column_of(field: models.Field) -> str:
    """The database column of a concrete field (Django leaves ``column`` None only on
    fields without a column of their own: many-to-many, multi-column relations)."""
    assert field.column is not None, f"{field!r} has no database column"
    return field.column


def concrete_table(model: type[models.Model]) -> str:
    """The table ``model`` reads: its own, or its concrete model's for a proxy."""
    concrete = model._meta.concrete_model
    assert concrete is not None, "ModelBase sets concrete_model on every model class"
    return concrete._meta.db_table


def through_model(field: models.ManyToManyField) -> type[models.Model]:
    """The join model of a many-to-many field, implicit (auto-created) or declared."""
    through = field.remote_field.through
    assert through is not None, "Django resolves (or creates) the through model once apps are ready"
    return through


def on_delete_name(field: models.ForeignKey) -> str:
    """``CASCADE``, ``PROTECT``, ``SET_NULL``, ``SET(...)``, ... for a foreign key
    (or one-to-one) field."""
    handler = field.remote_field.on_delete
    assert handler is not None, "ForeignKey requires on_delete"
    if hasattr(handler, "deconstruct"):  # models.SET(value) returns a function with deconstruct()
        path, args, _ = handler.deconstruct()
        return "{}({})".format(path.rsplit(".", 1)[-1], ", ".join(repr(a) for a in args))
    return handler.__name__


def relations(model: type[models.Model]) -> list[Relation]:
    """The relations declared on ``model``'s own table, sorted by field name."""
    found: list[Relation] = []
    for field in model._meta.local_fields:
        if not isinstance(field, models.ForeignKey):  # the relations with a column (one-to-one included)
            continue
        found.append(
            Relation(
                kind=ONE_TO_ONE if field.one_to_one else ONE_TO_MANY,
                source=model,
                target=field.related_model,
                field_name=field.name,
                column=field.column,
                target_column=column_of(field.target_field),
                nullable=field.null,
                on_delete=on_delete_name(field),
            )
        )
    for field in model._meta.local_many_to_many:
        through = through_model(field)
        found.append(
            Relation(
                kind=MANY_TO_MANY,
                source=model,
                target=field.related_model,
                field_name=field.name,
                column="",
                target_column=column_of(field.related_model._meta.pk),
                nullable=True,
                on_delete="CASCADE" if through._meta.auto_created else "see " + through._meta.db_table,
                through_table=through._meta.db_table,
                through_is_model=not through._meta.auto_created,
            )
        )
    return sorted(found, key=lambda r: r.field_name)


@dataclass(frozen=True)
class UniqueKey:
    name: str  # "" when the database names it (a field's unique=True)
    columns: tuple[str, ...]
    conditional: bool = False


def _columns(model: type[models.Model], names: Iterable[str]) -> tuple[str, ...]:
    """The columns of the fields a key names (``unique_together``, ``UniqueConstraint.fields``):
    Django's model checks (models.E012, E013, E016) accept only local forward fields there."""
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{model._meta.label}.{name} is not a forward field"
        columns.append(column_of(field))
    return tuple(columns)


def unique_keys(model: type[models.Model]) -> list[UniqueKey]:
    """Unique keys the model declares: ``unique=True`` fields, ``unique_together``
    and ``UniqueConstraint``s (conditional ones flagged; MariaDB cannot create those)."""
    opts = model._meta
    keys = [UniqueKey("", (column_of(f),)) for f in opts.local_fields if f.unique and not f.primary_key]
    for fields in opts.unique_together:
        keys.append(UniqueKey("", _columns(model, fields)))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            columns = _columns(model, constraint.fields)
            if not columns:  # expression-based: name it by its expressions
                columns = tuple(str(e) for e in constraint.expressions)
            keys.append(UniqueKey(constraint.name, columns, conditional=constraint.condition is not None))
    return keys


def implied_many_to_many(model: type[models.Model]) -> list[Relation]:
    """N-N relations that ``model`` realises as a join table without a declared
    ``ManyToManyField``: a unique key made of exactly two non-null foreign keys
    (``user_badges``: unique (user, badge) links users and badges N-N)."""
    declared = {
        through_model(f)
        for m in apps.get_models()
        for f in m._meta.local_many_to_many
        if not through_model(f)._meta.auto_created
    }
    if model in declared:
        return []
    fks = {
        f.column: f
        for f in model._meta.local_fields
        if isinstance(f, models.ForeignKey) and f.many_to_one and not f.null  # many_to_one: not one-to-one
    }
    found: list[Relation] = []
    for key in unique_keys(model):
        if key.conditional or len(key.columns) != 2 or not all(c in fks for c in key.columns):
            continue
        left, right = (fks[c] for c in key.columns)
        found.append(
            Relation(
                kind=MANY_TO_MANY,
                source=left.related_model,
                target=right.related_model,
                field_name=model._meta.db_table,
                column="",
                target_column=column_of(right.target_field),
                nullable=True,
                on_delete="",  # not a field of its own: the join table's FKs carry on_delete
                through_table=model._meta.db_table,
                through_is_model=True,
            )
        )
    return found
