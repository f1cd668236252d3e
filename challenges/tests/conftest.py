import importlib

import pytest


@pytest.fixture(autouse=True)
def default_badges(request):
    """The rule badges come from a data migration; a transactional test elsewhere in
    the run flushes them, so make sure they exist for every test that uses the DB."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("_django_db_helper")
    from challenges.models import Badge

    migration = importlib.import_module("challenges.migrations.0002_default_badges")
    for slug, name, description, icon, rule in migration.DEFAULT_BADGES:
        Badge.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "icon": icon, "rule": rule}
        )
