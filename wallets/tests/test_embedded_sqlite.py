"""The embedded default (`make run`: SQLite) keeps the ledger exact too.

SQLite's SUM() adds decimals as binary floats; ``verify_ledger`` must not report
phantom drift there. Runs the real commands in a subprocess on a throwaway file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_seeded_sqlite_database_verifies_clean(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="ogc.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
        )

    for args in (("migrate", "-v0"), ("seed", "--demo", "--users", "60")):
        result = manage(*args)
        assert result.returncode == 0, result.stderr[-2000:]
    verify = manage("verify_ledger")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "no drift" in verify.stdout
    integrity = manage("check_integrity")
    assert integrity.returncode == 0, integrity.stdout + integrity.stderr
