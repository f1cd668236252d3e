"""The admin shows which environment it is, keeping the site header."""

import pytest
from django.test import Client

from accounts.tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("environment", ["local", "production"])
def test_banner_names_the_environment(settings, environment):
    settings.OGC_ENVIRONMENT = environment
    # Signing in to the console is the site's login (second factor included).
    assert Client().get("/admin/login/")["Location"] == "/accounts/login/?next=%2Fadmin%2Flogin%2F"

    client = Client()
    client.force_login(SuperuserFactory())
    index = client.get("/admin/").content.decode()
    assert f"Environment: <strong>{environment.upper()}</strong>" in index
    assert "OGC NewFinity operator console" in index
