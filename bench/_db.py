"""The throw-away database a bench runs on: Django set up on it, created before the
run and dropped after it (MariaDB/MySQL only: the benches measure our database)."""

from __future__ import annotations

import os
from collections.abc import Callable


def setup_django(db_name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = db_name
    import django

    django.setup()


def on_throwaway_db(db_name: str, label: str, run: Callable[[], None]) -> None:
    """Set Django up on ``db_name``, create it, ``run()``, drop it (even on failure)."""
    setup_django(db_name)
    from django.db import connection

    if connection.vendor != "mysql":
        print(f"{label} needs MariaDB/MySQL (DATABASE_URL); skipped.")
        return
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.close()
        connection.creation.destroy_test_db(original_name, verbosity=0)
