"""Production settings pass Django's deployment checks with a realistic environment."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ogc.settings.production",
    "OGC_ENVIRONMENT": "production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-realistic-production-secret-key-Zq8#x!Lr2@vN5$wK",
    "DJANGO_ALLOWED_HOSTS": "ogc.example.com",
    "DATABASE_URL": "mysql://ogc:secret@db.internal:3306/ogc",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "DRAMATIQ_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "OGC_ADMIN_EMAIL": "ops@example.com",
    "OGC_ADMIN_PASSWORD": "a-very-long-admin-password",
}


def _check_deploy(*options: str, **environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OGC_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV, **environ)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_check_deploy_with_the_database_is_clean():
    """With ``--database`` the model checks that depend on the database run too: on
    MariaDB, allauth's conditional unique constraints (``models.W036``), silenced
    because the application enforces them (docs/security.md, "Contract hardening")."""
    db = connection.settings_dict
    if connection.vendor != "mysql":
        pytest.skip("the production database is MariaDB")
    url = f"mysql://{db['USER']}:{quote(db['PASSWORD'], safe='')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    result = _check_deploy("--database", "default", DATABASE_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
