"""``manage.py schema_reference``: every table as MariaDB created it (``docs/schema.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core.datamodel.command import DocumentCommand
from core.datamodel.schema import render_schema, require_mariadb


@contextmanager
def fresh_test_database(alias: str) -> Iterator[None]:
    """Create the settings' test database (``OGC_TEST_DATABASE_NAME``) from scratch,
    migrate it, and drop it afterwards: the schema then owes nothing to the state
    of a developer's database."""
    connection = connections[alias]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


class Command(DocumentCommand):
    help = (
        "Write the schema reference (columns, indexes, constraints, foreign keys, purpose) of every table, "
        "read from a migrated MariaDB database."
    )
    default_output = "docs/schema.md"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to read (default: default).")
        parser.add_argument(
            "--fresh-db",
            action="store_true",
            help="Read a throwaway database created and migrated for the run (the settings' TEST NAME), then dropped.",
        )

    def render(self, **options: Any) -> str:
        connection = connections[options["database"]]
        if connection.vendor != "mysql":
            raise CommandError(
                f"schema_reference needs MariaDB; the {options['database']!r} database is {connection.vendor}. "
                "Run `make docs` (MariaDB test settings)."
            )
        if options["fresh_db"]:
            with fresh_test_database(options["database"]):
                return render_schema(connection)
        require_mariadb(connection)
        return render_schema(connection)
