"""``manage.py migration_map``: the order and graph of every migration (``docs/migrations.md``)."""

from __future__ import annotations

from typing import Any

from core.datamodel.command import DocumentCommand
from core.datamodel.migration_map import render_migration_map


class Command(DocumentCommand):
    help = "Write the migration order (as migrate plans it) and a Mermaid dependency graph, data migrations flagged."
    default_output = "docs/migrations.md"

    def render(self, **options: Any) -> str:
        return render_migration_map()
