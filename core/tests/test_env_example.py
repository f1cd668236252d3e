"""`.env.example` lists every variable the settings and gunicorn.conf.py read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""(?:env(?:\.\w+)?\(|os\.environ\.get\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]+)["']""")
NOT_CONFIGURATION = {"RUN_MAIN"}  # set by Django's autoreloader, not by operators


def _variables_read() -> set[str]:
    files = [*sorted((ROOT / "ogc" / "settings").glob("*.py")), ROOT / "gunicorn.conf.py"]
    found: set[str] = set()
    for path in files:
        found |= set(READ.findall(path.read_text()))
    return found - NOT_CONFIGURATION


def test_every_variable_is_documented_in_env_example():
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    }
    missing = sorted(_variables_read() - documented)
    assert missing == [], f"add these to .env.example with a comment: {missing}"
    assert "DJANGO_SECRET_KEY" in _variables_read()  # the scan itself works
