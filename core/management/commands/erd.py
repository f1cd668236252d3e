"""``manage.py erd``: the Mermaid ER diagrams of every table (``docs/erd.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.datamodel.command import DocumentCommand
from core.datamodel.erd import render_erd


class Command(DocumentCommand):
    help = "Write Mermaid ER diagrams (overview + one per app, or --app LABEL) generated from the live models."
    default_output = "docs/erd.md"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--app",
            default=None,
            help="Only this app's diagram (an app label, e.g. wallets), on stdout unless --output is given.",
        )

    def output_path(self, options: dict[str, Any]) -> Path | None:
        # One app's diagram must never replace the committed overview (docs/erd.md).
        if options["app"] and not options["output"]:
            return None
        return super().output_path(options)

    def render(self, **options: Any) -> str:
        return render_erd(app_label=options["app"])
