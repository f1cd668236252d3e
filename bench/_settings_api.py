"""Settings of the API benchmark's gunicorn (``bench/api.py``) only: production
settings plus a URLconf that adds the two plain baseline views. Never used by the
site: the production URLconf does not contain the baseline views."""

from ogc.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench._urls_baseline"
