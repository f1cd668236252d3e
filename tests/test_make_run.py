"""`make run` installs only what serving needs, and serving on SQLite never needs the
MariaDB driver; `make test` installs everything, its stamp following every
requirements file."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def _dry_run(target: str, tmp_path: Path) -> str:
    """What ``make <target>`` would run with a venv that does not exist yet (a fresh clone)."""
    result = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_requirements_are_split_serving_mysql_dev():
    serving = _requirements("requirements.txt")
    assert not any(line.lower().startswith("mysqlclient") for line in serving)
    assert not any(line.startswith("-r") for line in serving)
    assert _requirements("requirements-mysql.txt") == ["-r requirements.txt", "mysqlclient==2.3.2"]
    dev = _requirements("requirements-dev.txt")
    assert dev[0] == "-r requirements-mysql.txt" and any(line.startswith("pytest==") for line in dev)


def test_make_run_installs_only_the_serving_requirements(tmp_path):
    commands = _dry_run("run", tmp_path)
    installs = re.findall(r"pip install .*-r (\S+)", commands)
    assert installs == ["requirements.txt"]
    for word in ("apt-get", "system-deps", "chromium", "build-essential", "libmariadb", "requirements-dev"):
        assert word not in commands, word
    assert "manage.py seed --demo" in commands


def test_make_test_installs_everything_after_the_system_packages(tmp_path):
    commands = _dry_run("test", tmp_path)
    assert re.findall(r"pip install .*-r (\S+)", commands) == ["requirements-dev.txt"]
    assert commands.index("system-deps") < commands.index("requirements-dev.txt")
    makefile = (ROOT / "Makefile").read_text()
    (dev_rule,) = re.findall(r"^\$\(DEV_STAMP\): (.*)$", makefile, re.MULTILINE)
    assert set(dev_rule.split()) == {"requirements.txt", "requirements-mysql.txt", "requirements-dev.txt"}


@pytest.mark.slow
def test_local_settings_on_sqlite_never_import_the_mysql_driver(tmp_path):
    """With MySQLdb made unimportable, the local settings load, the URL conf and every
    app import, and the system checks pass (what `make run` does before serving)."""
    script = """
import importlib.abc, sys

class NoMySQL(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "MySQLdb" or name.startswith("MySQLdb."):
            raise ImportError("MySQLdb is not installed for `make run`")

sys.meta_path.insert(0, NoMySQL())
import django
django.setup()
from django.core.management import call_command
import ogc.urls, ogc.wsgi
call_command("check")
from django.db import connection
connection.ensure_connection()
assert connection.vendor == "sqlite", connection.vendor
assert "MySQLdb" not in sys.modules
print("serving imports ok")
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="ogc.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "serving imports ok" in result.stdout
