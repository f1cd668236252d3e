"""The admin shows which environment it is, on the login page too, keeping the site header."""

import pytest
from django.test import Client

from accounts.tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("environment", ["local", "production"])
def test_banner_names_the_environment(settings, environment):
    settings.OGC_ENVIRONMENT = environment
    login_page = Client().get("/admin/login/").content.decode()
    assert f'data-environment="{environment}"' in login_page
    assert f"ogc-env-{environment}" in login_page

    client = Client()
    client.force_login(SuperuserFactory())
    index = client.get("/admin/").content.decode()
    assert f"Environment: <strong>{environment.upper()}</strong>" in index
    assert "OGC NewFinity operator console" in index
