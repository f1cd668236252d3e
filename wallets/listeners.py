"""Listeners for ledger rows: how apps built on the ledger react to money moving
without the ledger knowing them (the same shape as ``core.integrity.register_check``).

An app registers a listener in its ``AppConfig.ready()``::

    from wallets.listeners import register_ledger_listener
    register_ledger_listener(on_ledger_row)

``ledger_row_written`` calls every listener with each ledger row the ledger writes or
moves out of ``pending``, inside that row's transaction and after its balances are
applied, so whatever a listener writes commits (or rolls back) with the row. It is
never called for an idempotent replay. A listener must only write through its own
app's services; an exception aborts the ledger operation. Registration happens once
per process at start-up (configuration, not shared state); registering the same
function twice keeps one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallets.models import Transaction

LedgerListener = Callable[["Transaction"], Any]

_listeners: list[LedgerListener] = []


def register_ledger_listener(listener: LedgerListener) -> LedgerListener:
    """Register ``listener`` (usable as a decorator); returns it unchanged."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def ledger_listeners() -> tuple[LedgerListener, ...]:
    return tuple(_listeners)


def ledger_row_written(row: Transaction) -> None:
    """Call every registered listener with ``row`` (the ledger's own hook)."""
    for listener in _listeners:
        listener(row)
