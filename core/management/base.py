"""Base class for our management commands: audited, one-line errors, non-zero exits."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

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

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Bad options from a shell (a missing required option, a malformed number) are
        one line on stderr and exit 1, like a refusal, instead of argparse's usage block
        and exit 2. From ``call_command`` they still raise ``CommandError``."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        default_error = parser.error

        def error(message: str) -> NoReturn:
            if parser.called_from_command_line:
                parser.exit(1, f"CommandError: {message} (see --help).\n")
            default_error(message)
            raise AssertionError("unreachable")  # default_error always raises

        # Per-instance override: BaseCommand.create_parser builds the CommandParser
        # itself, so a subclass with its own error() cannot be put in its place.
        parser.error = error  # type: ignore[method-assign]
        return parser

    def run(self, *args: Any, **options: Any) -> Any:
        raise NotImplementedError
