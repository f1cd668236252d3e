"""Helpers of the data-migration tests: move the test database to a migration state."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def leaf_nodes() -> list[tuple[str, str]]:
    """The latest migration of every app (where a test returns to)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate_to(targets: list[tuple[str, str]]) -> MigrationExecutor:
    """Migrate (forwards or backwards) to ``targets``; returns the executor (its
    loader gives the historical apps of that state)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor
