"""Error tracking with sentry-sdk, on only when ``SENTRY_DSN`` is set.

``init_sentry`` is called by the settings (``ogc/settings/base.py``) before the apps
load, so the dramatiq integration sees the broker being built. Without a DSN nothing
here runs and ``sentry_sdk`` is never imported: no cost, no thread, no socket.

PII: ``send_default_pii=False`` (no user emails, IPs, cookies or bodies of requests);
sentry's ``EventScrubber`` (recursive) masks secret-looking keys everywhere in the
event, with our extra names (Idempotency-Key, X-Request-ID are kept: they are what
ties an event to the logs); ``before_send`` then runs ``core.log_context.scrub`` over
every string left (messages, exception values, breadcrumbs, frame variables): email
addresses, ``Token``/``Bearer`` values and ``password=...`` pairs are masked.
Events carry ``release`` (``OGC_RELEASE``, e.g. the git commit) and ``environment``
(``OGC_ENVIRONMENT``).
"""

from __future__ import annotations

from typing import Any

EXTRA_DENYLIST = [
    "authorization",
    "cookie",
    "set-cookie",
    "csrfmiddlewaretoken",
    "sessionid",
    "csrftoken",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "email",
    "otp",
    "code",
    "key",
    "secret_key",
    "dsn",
]


#: A variable or field whose name contains one of these is dropped whatever its value
#: (``api_token``, ``new_password``, ``member_email``): sentry's scrubber matches whole names.
SENSITIVE_NAME_PARTS = ("password", "passwd", "token", "secret", "email", "authorization", "cookie", "session")
FILTERED = "[Filtered]"


def _sensitive(name: object) -> bool:
    return isinstance(name, str) and any(part in name.lower() for part in SENSITIVE_NAME_PARTS)


def _scrub_strings(value: Any) -> Any:
    from core.log_context import scrub

    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: FILTERED if _sensitive(key) else _scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrub_strings(item) for item in value)
    return value


def before_send(event: dict, hint: dict) -> dict:
    """Mask emails and secrets in every string of the event (after the key scrubber)."""
    return _scrub_strings(event)


def init_sentry(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float = 0.0) -> bool:
    """Start sentry-sdk with the Django, dramatiq and logging integrations; False
    (and nothing imported) when ``dsn`` is empty."""
    if not dsn:
        return False
    import logging

    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=True,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *EXTRA_DENYLIST], recursive=True),
        before_send=before_send,  # type: ignore[arg-type]
        before_send_transaction=before_send,  # type: ignore[arg-type]
        traces_sample_rate=traces_sample_rate,
        integrations=[
            DjangoIntegration(),
            DramatiqIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
    return True
