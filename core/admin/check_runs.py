"""The data checks' runs (``core.models.CheckRun``): their admin and the dashboard tiles
of the last ``verify_ledger`` and ``check_integrity``."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from core.admin.actions import ReadOnlyAdminMixin
from core.admin.display import pill, relative_time, when_html
from core.admin.tables import ConsoleAdminMixin
from core.admin_site import ALERT, IDLE, OK, Tile, register_tile
from core.check_runs import CHECK_COMMANDS, check_runs_latest
from core.models import CheckRun


@admin.register(CheckRun)
class CheckRunAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs of ``verify_ledger`` and ``check_integrity``, newest first: written by the
    commands, read by everyone with ``core.view_checkrun`` (operators, auditors)."""

    list_display = ("name", "result", "summary", "finished", "duration")
    list_filter = ("name", "ok")
    ordering = ("-finished_at", "-pk")
    readonly_fields = ("name", "ok", "summary", "details", "started_at", "finished_at", "cid")

    @admin.display(description="result", ordering="ok")
    def result(self, obj: CheckRun) -> SafeString:
        return pill("ok" if obj.ok else "failed", "clean" if obj.ok else "problems found")

    @admin.display(description="finished", ordering="finished_at")
    def finished(self, obj: CheckRun) -> SafeString | str:
        return when_html(obj.finished_at)

    @admin.display(description="took")
    def duration(self, obj: CheckRun) -> str:
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"


CHECK_STALE_AFTER_HOURS = 26  # a daily job that missed a day


def _check_tile(request: HttpRequest, name: str, title: str) -> Tile:
    run = check_runs_latest(names=[name])[name]
    url = reverse("admin:core_checkrun_changelist") + f"?name={name}"
    if run is None:
        return Tile(
            title=title,
            value="never run",
            detail=f"Run manage.py {name} (docs/operations.md).",
            url=url,
            state=IDLE,
            action="History",
        )
    age = timezone.now() - run.finished_at
    stale = age.total_seconds() > CHECK_STALE_AFTER_HOURS * 3600
    state = ALERT if not run.ok else (IDLE if stale else OK)
    detail = f"{run.summary} Ran {relative_time(age.total_seconds())} ago."
    if stale and run.ok:
        detail += " Older than a day: is the job scheduled?"
    return Tile(
        title=title, value="clean" if run.ok else "problems", detail=detail, url=url, state=state, action="History"
    )


@register_tile("core.verify_ledger", order=80, permissions=["core.view_checkrun"])
def verify_ledger_tile(request: HttpRequest) -> Tile:
    return _check_tile(request, CHECK_COMMANDS[0], "Last verify_ledger")


@register_tile("core.check_integrity", order=81, permissions=["core.view_checkrun"])
def check_integrity_tile(request: HttpRequest) -> Tile:
    return _check_tile(request, CHECK_COMMANDS[1], "Last check_integrity")
