"""Fixtures shared by every app's tests."""

from __future__ import annotations

import importlib

import dramatiq
import pytest
from dramatiq import Worker
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles, allauth and axes counters live in the cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_badges(request):
    """Data migrations seed rows (the rule badges) that a transactional test's flush
    removes; restore them for every test that uses the database, whatever ran before
    (order-independent, and with --reuse-db)."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("_django_db_helper")
    from challenges.models import Badge

    migration = importlib.import_module("challenges.migrations.0002_default_badges")
    # As migrated: 0003 rewrote the staker badge's description.
    words = importlib.import_module("challenges.migrations.0003_staker_badge_words")
    for slug, name, description, icon, rule in migration.DEFAULT_BADGES:
        text = words.STAKER_DESCRIPTION if description == words.OLD_DESCRIPTION else description
        Badge.objects.get_or_create(slug=slug, defaults={"name": name, "description": text, "icon": icon, "rule": rule})


@pytest.fixture
def broker():
    """The stub broker of the test settings, emptied before and after the test."""
    from core.worker import import_task_modules

    import_task_modules()
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


@pytest.fixture
def worker(broker):
    """A real dramatiq Worker consuming the stub broker (threads use their own DB
    connections: tests using it need ``django_db(transaction=True)``)."""
    worker = Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    """An API client authenticated with a ``read+money`` token of ``user``."""
    return make_token_client(user)


def make_token_client(user, *, scope: str = "read+money") -> APIClient:
    from accounts.tests.factories import api_token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user, scope=scope)}")
    client.user = user
    return client
