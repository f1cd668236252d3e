"""Listeners for submission events: how apps built on challenges (the AI segment's
similarity detection) react to a submission without challenges knowing them (the same
shape as ``wallets.listeners``).

An app registers a listener in its ``AppConfig.ready()``::

    from challenges.listeners import register_submission_listener
    register_submission_listener(on_submission_event)

``submission_event`` calls every listener with ``(event, submission)`` inside the
transaction of the change, where ``event`` is ``"created"``, ``"updated"`` or
``"reviewed"``; whatever a listener writes commits (or rolls back) with the change, and
queue messages go through ``transaction.on_commit``. A listener must only write through
its own app's services; an exception aborts the operation. Registration happens once per
process at start-up (configuration, not shared state); registering the same function
twice keeps one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from challenges.models import Submission

SubmissionListener = Callable[[str, "Submission"], Any]

SUBMISSION_CREATED = "created"
SUBMISSION_UPDATED = "updated"
SUBMISSION_REVIEWED = "reviewed"

_listeners: list[SubmissionListener] = []


def register_submission_listener(listener: SubmissionListener) -> SubmissionListener:
    """Register ``listener`` (usable as a decorator); returns it unchanged."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def submission_event(event: str, submission: Submission) -> None:
    """Call every registered listener (the challenges services' own hook)."""
    for listener in _listeners:
        listener(event, submission)
