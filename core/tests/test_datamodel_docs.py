"""The committed data-model documents are what the generators produce now.

When this fails, the models or migrations changed: run ``make docs`` and commit
``docs/erd.md``, ``docs/schema.md`` and ``docs/migrations.md``.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {"erd": "erd.md", "schema_reference": "schema.md", "migration_map": "migrations.md"}


@pytest.mark.django_db
def test_committed_documents_are_up_to_date(tmp_path):
    stale = []
    for command, filename in DOCUMENTS.items():
        call_command(command, "--output", str(tmp_path / filename), stdout=StringIO())
        committed = ROOT / "docs" / filename
        fresh = (tmp_path / filename).read_text(encoding="utf-8")
        if not committed.exists() or committed.read_text(encoding="utf-8") != fresh:
            stale.append(f"docs/{filename}")
    assert not stale, f"Stale data-model documents: {', '.join(stale)}. Run `make docs` and commit them."


def test_check_option_names_the_stale_file(tmp_path):
    target = tmp_path / "erd.md"
    target.write_text("# an old diagram\n", encoding="utf-8")
    with pytest.raises(CommandError, match=rf"^{target} is stale .*run `make docs`"):
        call_command("erd", "--check", "--output", str(target))
    call_command("erd", "--output", str(target), stdout=StringIO())
    call_command("erd", "--check", "--output", str(target), stdout=StringIO())


def test_check_option_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="missing"):
        call_command("migration_map", "--check", "--output", str(tmp_path / "none.md"))
