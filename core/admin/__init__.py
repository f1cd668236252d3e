"""Admin pieces shared by every app: read-only mixin, the per-row action runner, the
console's display helpers (money, members, times, status pills), big-table
changelists (estimated counts, keyset "older" links, prefetching instead of joins)
and streamed CSV exports.

The console's site itself (dashboard, search, registries) is ``core.admin_site``.

One module per concern, re-exported here (``from core.admin import pill`` is the way
to import them): ``actions``, ``display``, ``tables``, ``csv_export``, and
``check_runs`` (core's own admin, registered by importing this package)."""

from core.admin.actions import ReadOnlyAdminMixin, action_form_page, run_admin_action, safe_next_url
from core.admin.check_runs import CHECK_STALE_AFTER_HOURS, CheckRunAdmin, check_integrity_tile, verify_ledger_tile
from core.admin.csv_export import CsvExportMixin, csv_cell, stream_csv_rows
from core.admin.display import (
    MemberPicker,
    amount_html,
    change_url,
    member_html,
    pill,
    relative_time,
    row_url,
    user_change_url,
    when_html,
)
from core.admin.tables import (
    ConsoleAdminMixin,
    ConsoleChangeList,
    EstimatedCountPaginator,
    LargeTableAdminMixin,
    queryset_rows_estimate,
    table_rows_estimate,
)

__all__ = [
    "CHECK_STALE_AFTER_HOURS",
    "CheckRunAdmin",
    "ConsoleAdminMixin",
    "ConsoleChangeList",
    "CsvExportMixin",
    "EstimatedCountPaginator",
    "LargeTableAdminMixin",
    "MemberPicker",
    "ReadOnlyAdminMixin",
    "action_form_page",
    "amount_html",
    "change_url",
    "check_integrity_tile",
    "csv_cell",
    "member_html",
    "pill",
    "queryset_rows_estimate",
    "relative_time",
    "row_url",
    "run_admin_action",
    "safe_next_url",
    "stream_csv_rows",
    "table_rows_estimate",
    "user_change_url",
    "verify_ledger_tile",
    "when_html",
]
