"""Forms of the notification pages."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy

from notifications.kinds import Channel


def _field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per (kind, channel); locked ones are shown checked and disabled
    (a disabled field keeps its initial value whatever is posted)."""

    def __init__(self, *args, matrix: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        for row in matrix:
            name = _field_name(row["kind"], row["channel"])
            self.fields[name] = forms.BooleanField(
                required=False,
                initial=row["enabled"],
                disabled=row["locked"],
                label=format_lazy("{}: {}", row["kind_label"], Channel(row["channel"]).label),
            )
            row["field"] = name

    def rows(self) -> list[dict]:
        """The matrix grouped by kind for the template: [{label, cells: [bound fields]}]."""
        grouped: dict[str, dict] = {}
        for row in self.matrix:
            entry = grouped.setdefault(row["kind"], {"label": row["kind_label"], "cells": []})
            entry["cells"].append({"field": self[row["field"]], "locked": row["locked"], "channel": row["channel"]})
        return list(grouped.values())

    def changes(self) -> list[tuple[str, str, bool]]:
        return [
            (row["kind"], row["channel"], bool(self.cleaned_data[row["field"]]))
            for row in self.matrix
            if not row["locked"]
        ]
