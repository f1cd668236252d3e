"""Production settings pass Django's deployment checks with a realistic environment."""

import os
import subprocess
import sys
from pathlib import Path

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


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OGC_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
