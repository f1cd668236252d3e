"""The shared shape of the document commands: write the generated text to
``--output`` (``-`` for stdout), or with ``--check`` compare it with the committed
file and exit 1 with a one-line reason naming the stale file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from core.management.base import AuditedCommand


class StaleDocumentError(CommandError):
    """A committed document differs from what the generator produces now."""


def check_document(path: Path, text: str) -> None:
    """Raise ``StaleDocumentError`` (one line, naming ``path``) unless it holds ``text``."""
    if not path.exists():
        raise StaleDocumentError(f"{path} is missing: run `make docs` and commit it.")
    if path.read_text(encoding="utf-8") != text:
        raise StaleDocumentError(f"{path} is stale (the models or migrations changed): run `make docs` and commit it.")


def write_document(path: Path, text: str) -> bool:
    """Write ``text`` to ``path``; True when the file changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


class DocumentCommand(AuditedCommand):
    """Subclasses set ``default_output`` (relative to BASE_DIR) and implement ``render``."""

    default_output = ""
    # The documents depend on models and migrations only: a broken view or URL
    # elsewhere must not stop them (the test suite and `manage.py check` catch those).
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=None,
            help=f"Where to write the document (default {self.default_output}; '-' for stdout).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 if the file at --output differs from a fresh generation.",
        )

    def render(self, **options: Any) -> str:
        raise NotImplementedError

    def output_path(self, options: dict[str, Any]) -> Path | None:
        output = options["output"] or self.default_output
        if output == "-":
            return None
        path = Path(output)
        return path if path.is_absolute() else Path(settings.BASE_DIR) / path

    def run(self, *args: Any, **options: Any) -> None:
        text = self.render(**options)
        path = self.output_path(options)
        if path is None:
            if options["check"]:
                raise CommandError("--check needs a file: give --output PATH.")
            self.stdout.write(text, ending="")
            return
        if options["check"]:
            check_document(path, text)
            self.stdout.write(f"{path} is up to date.")
            return
        changed = write_document(path, text)
        self.stdout.write(f"{'Wrote' if changed else 'Unchanged:'} {path}.")
