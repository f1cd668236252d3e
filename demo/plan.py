"""Shared state of one demo build: the people, their ledgers and what to notify.

Everything is planned in memory first (unsaved model instances that point at
each other), then written in dependency order by ``demo.builder``.
Values that depend on primary keys (idempotency keys, notification event ids,
generic ``source`` references) are callables resolved just before their rows are
written.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.amounts import format_amount
from demo.ledger import LedgerSim

DEMO_DOMAIN = "demo.ogc.local"
#: At most this many notifications per user: the most recent events of each user
#: (an inbox keeps its recent history; older notifications are not generated).
NOTICES_PER_USER = 3


def demo_email(index: int) -> str:
    return f"demo{index}@{DEMO_DOMAIN}"


def digest(*parts: Any, length: int = 64) -> str:
    """Deterministic hex from the parts (addresses, chain hashes of demo rows)."""
    return hashlib.sha256(":".join(str(p) for p in ("ogc-demo", *parts)).encode()).hexdigest()[:length]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


Lazy = Callable[[], Any]


def resolve(value: Any) -> Any:
    return value() if callable(value) else value


@dataclass
class Notice:
    """A notification to write once the rows it names have primary keys."""

    at: datetime
    kind: str
    title: str
    body: str
    data: dict[str, Any] | Lazy
    event_id: str | Lazy


@dataclass
class PlannedBadge:
    rule: str
    at: datetime
    source: Any  # a model instance (saved by the time badges are written)
    reason: str


@dataclass(eq=False)  # identity: people are compared and hashed as themselves
class Person:
    index: int
    user: Any
    wallet: Any
    ledger: LedgerSim
    joined: datetime
    funded_at: datetime | None  # None: a dormant account that never deposited
    address: Any = None
    notices: list[Notice] = field(default_factory=list)
    badges: dict[str, PlannedBadge] = field(default_factory=dict)
    row_counter: int = 0

    @property
    def active(self) -> bool:
        return self.funded_at is not None

    def next_key(self) -> str:
        """An idempotency key like a client's (unique per wallet, deterministic)."""
        self.row_counter += 1
        return f"demo:{self.index}:{self.row_counter}"

    def badge(self, rule: str, at: datetime, source: Any, reason: str) -> None:
        """Keep the earliest event of each rule (rules grant a badge once)."""
        current = self.badges.get(rule)
        if current is None or at < current.at:
            self.badges[rule] = PlannedBadge(rule, at, source, reason)


@dataclass
class DemoPlan:
    rng: random.Random
    now: datetime
    batch: str
    operator: Any
    people: list[Person]
    token: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def active_people(self) -> list[Person]:
        return [p for p in self.people if p.active]

    def moment(self, start: datetime, end: datetime) -> datetime:
        """A random instant in [start, end] (microsecond resolution)."""
        span = max((end - start).total_seconds(), 0.0)
        return start + timedelta(seconds=self.rng.uniform(0, span))

    def amount_text(self, amount) -> str:
        return format_amount(amount, symbol=self.token)
