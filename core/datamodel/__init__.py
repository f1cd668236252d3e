"""Generators of the data-model documents (``docs/erd.md``, ``docs/schema.md``,
``docs/migrations.md``).

Each generator is a pure function returning Markdown text. Nothing here lists a
model or a migration by hand: models come from ``django.apps.apps.get_models()``
and migrations from Django's ``MigrationLoader`` graph, so the documents follow
every model change by themselves. Output is sorted and carries no timestamp, so a
committed copy can be compared byte for byte with a fresh one (``--check``).
"""

from core.datamodel.erd import render_erd
from core.datamodel.migration_map import render_migration_map
from core.datamodel.schema import render_schema

__all__ = ["render_erd", "render_migration_map", "render_schema"]
