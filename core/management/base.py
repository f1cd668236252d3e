"""Base class for our management commands: audited, one-line errors, non-zero exits."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import command_context
from core.exceptions import ApplicationError


class AuditedCommand(BaseCommand):
    """Runs ``run()`` inside an audit context named after the command, so every
    audit entry it writes carries ``cid = cmd:<name>:...``. A domain refusal
    (ApplicationError) becomes a CommandError: one line on stderr, exit 1."""

    def handle(self, *args: Any, **options: Any) -> Any:
        name = self.__module__.rsplit(".", 1)[-1]
        with command_context(name):
            try:
                return self.run(*args, **options)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc

    def run(self, *args: Any, **options: Any) -> Any:
        raise NotImplementedError
