"""The plans every installation starts with (``seed``), kept in step with this data.

Their names and descriptions are marked for the translation catalogue: the pages
show them in the reader's language (``Plan.local_name``, ``Plan.local_description``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from subscriptions.models import Plan

DEFAULT_PLANS: list[dict[str, Any]] = [
    {
        "code": "free",
        "name": gettext_noop("Free"),
        "description": gettext_noop("Everything you need to take part: challenges, staking, governance."),
        "price": Decimal("0"),
        "period_days": 30,
        "trial_days": 0,
        "features": [],
        "sort_order": 0,
    },
    {
        "code": "pro",
        "name": gettext_noop("Pro"),
        "description": gettext_noop("Twice the submissions per challenge. 7-day free trial."),
        "price": Decimal("50"),
        "period_days": 30,
        "trial_days": 7,
        "features": ["extra_submissions"],
        "sort_order": 10,
    },
]


@transaction.atomic
def seed_plans() -> int:
    """Create the default plans that do not exist yet (operators' edits are kept).
    Returns how many were created."""
    created = 0
    for spec in DEFAULT_PLANS:
        _, was_created = Plan.objects.get_or_create(code=spec["code"], defaults=spec)
        created += int(was_created)
    return created
