"""Settings of the web nodes of ``cases_cluster_shared_state.py``: the live-broker test
settings (``notifications/tests/worker_settings.py``: test settings, a Redis broker in
the test's namespace) with the money throttle's rate from OGC_TEST_THROTTLE_MONEY (the
test settings lift every rate). The login lockout's limit comes from
OGC_LOGIN_FAILURE_LIMIT as in production (``ogc/settings/base.py``)."""

import os

from notifications.tests.worker_settings import *  # noqa: F403
from notifications.tests.worker_settings import REST_FRAMEWORK

REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "money": os.environ.get("OGC_TEST_THROTTLE_MONEY", "10000/min"),
}
