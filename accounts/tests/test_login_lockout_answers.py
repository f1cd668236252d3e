"""Issue #17, part 7: the lockout answers as documented.

With allauth's real rate limits on (the test settings turn them off elsewhere), every
login attempt during a lockout is a 429 with ``Retry-After`` (allauth's own limit
answered a 200 form error from the sixth try), and attempts during the lockout — the
right password included — do not extend it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
WRONG = "wrong-password-0"


@pytest.fixture
def live_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip"}


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_every_attempt_during_a_lockout_is_429_with_retry_after(settings, live_rate_limits):
    user = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.50")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.email, WRONG).status_code == 200
    for password in [WRONG] * 6 + [DEFAULT_PASSWORD]:
        response = _login(client, user.email, password)
        assert response.status_code == 429
        assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME * 3600)
    assert "_auth_user_id" not in client.session


def test_attempts_during_a_lockout_do_not_extend_it(settings):
    user = UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.51")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.email, WRONG)
    # Time passes: the lockout began most of a cool-off ago.
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    began = AccessAttempt.objects.filter(username=user.email).latest("attempt_time").attempt_time - cool_off * 0.9
    AccessAttempt.objects.update(attempt_time=began)
    for password in (WRONG, DEFAULT_PASSWORD):
        assert _login(client, user.email, password).status_code == 429
    assert set(AccessAttempt.objects.values_list("attempt_time", flat=True)) == {began}
    # ...so once the cool-off is over, the right password works.
    AccessAttempt.objects.update(attempt_time=began - cool_off * 0.2)
    assert _login(client, user.email, DEFAULT_PASSWORD).status_code == 302
