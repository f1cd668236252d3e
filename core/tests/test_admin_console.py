"""The console's site: one dashboard per role (tiles linking to their queues, 30-day
charts with a text alternative), the global search, member autocomplete, and the
shared changelist pieces (estimated counts, keyset links, the cheap date drill-down)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.tests.factories import SubmissionFactory
from core.admin import EstimatedCountPaginator, csv_cell
from core.admin_site import ConsoleAdminSite, chart_window
from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import ALL_TILES, MODERATOR_TILES, client_for, pending_withdrawal, seed_roles, staff
from wallets.models import Transaction

pytestmark = pytest.mark.django_db


def tiles(html: str) -> set[str]:
    return set(re.findall(r'<h3 class="ogc-tile__title">(?:<a href="[^"]*">)?([^<]+)<', html))


def test_the_project_admin_site_is_the_console():
    assert isinstance(admin.site, ConsoleAdminSite)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ROLE_OPERATOR, ALL_TILES),
        (ROLE_MODERATOR, MODERATOR_TILES),
        (ROLE_AUDITOR, ALL_TILES),
        (None, ALL_TILES),
    ],
)
def test_each_role_sees_the_tiles_of_its_permissions(role, expected):
    seed_roles()
    html = client_for(staff(role)).get("/admin/").content.decode()
    assert tiles(html) == expected


def test_tiles_count_what_waits_and_link_to_the_queue_or_the_list():
    seed_roles()
    pending_withdrawal("40")
    pending_withdrawal("1210", funded="2000")
    SubmissionFactory()
    operator_html = client_for(staff(ROLE_OPERATOR)).get("/admin/").content.decode()
    assert "1,250 OGC held" in operator_html
    assert 'href="/admin/wallets/transaction/withdrawals/queue/"' in operator_html
    auditor_html = client_for(staff(ROLE_AUDITOR)).get("/admin/").content.decode()
    assert "/withdrawals/queue/" not in auditor_html  # auditors see the filtered list, not the queue
    assert 'href="/admin/wallets/transaction/?kind__exact=withdrawal&amp;status__exact=pending"' in auditor_html
    moderator_html = client_for(staff(ROLE_MODERATOR)).get("/admin/").content.decode()
    assert 'href="/admin/challenges/submission/queue/"' in moderator_html


def test_the_check_tiles_show_the_last_runs():
    seed_roles()
    client = client_for(staff(ROLE_AUDITOR))
    assert "never run" in client.get("/admin/").content.decode()
    call_command("verify_ledger", "--no-progress", stdout=StringIO(), stderr=StringIO())
    call_command("check_integrity", stdout=StringIO(), stderr=StringIO())
    html = client.get("/admin/").content.decode()
    assert "no drift" in html and "integrity checks passed" in html and "never run" not in html


def test_charts_are_svg_with_a_data_table_and_no_inline_code(settings):
    settings.OGC_CONSOLE_CHART_CACHE_SECONDS = 0
    seed_roles()
    pending_withdrawal("40")
    html = client_for(staff(None)).get("/admin/").content.decode()
    assert html.count('data-testid="chart"') == 3
    assert html.count('role="img"') == 3 and "<desc" not in html  # summary is a <p> named by aria-labelledby
    assert "Deposits and withdrawals" in html and "New members" in html and "Challenges open" in html
    assert html.count("<table>") >= 3 and "Data table" in html
    today = timezone.now().date()
    assert f"{today:%b} {today.day}" in html
    assert " style=" not in html.split("<body", 1)[1] and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"


def test_chart_window_is_thirty_utc_days_ending_today():
    start, days = chart_window(timezone.now())
    assert len(days) == 30 and days[-1] == timezone.now().date() and start.date() == days[0]


def test_global_search_finds_people_addresses_transactions_and_requests():
    seed_roles()
    row = pending_withdrawal("40", email="ada.lovelace@example.test", display_name="Ada Lovelace")
    wallet = row.wallet
    client = client_for(staff(ROLE_OPERATOR))

    def search(q):
        return client.get("/admin/search/", {"q": q}).content.decode()

    assert "ada.lovelace@example.test" in search("ada.love")
    assert "ada.lovelace@example.test" in search("Lovelace")
    assert "Deposit address of ada.lovelace@example.test" in search(wallet.deposit_address)
    assert "Withdrawal address of ada.lovelace@example.test" in search(row.destination_address)
    assert f"Transaction #{row.pk}: Withdrawal 40 OGC" in search(f"#{row.pk}")
    from auditlog.models import LogEntry

    LogEntry.objects.filter(pk=LogEntry.objects.latest("pk").pk).update(cid="0123456789abcdef0123456789abcdef")
    assert "Request 0123456789abcdef0123456789abcdef" in search("0123456789abcdef0123456789abcdef")
    assert "Nothing matches" in search("no-such-thing")
    assert "at least 2 characters" in search("a")


def test_search_shows_only_what_the_role_may_open():
    seed_roles()
    row = pending_withdrawal("40")
    html = client_for(staff(ROLE_MODERATOR)).get("/admin/search/", {"q": f"#{row.pk}"}).content.decode()
    assert "Transaction #" not in html


def test_member_autocomplete_says_who_someone_is():
    seed_roles()
    staff(None, email="zed@example.test", display_name="Zed Zedson")
    client = client_for(staff(ROLE_OPERATOR))
    response = client.get(
        "/admin/autocomplete/",
        {"term": "Zedson", "app_label": "wallets", "model_name": "transaction", "field_name": "user"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["zed@example.test — Zed Zedson"]
    form = client.get("/admin/wallets/transaction/deposit/").content.decode()
    assert "admin-autocomplete" in form and 'name="member"' in form


def test_estimated_count_never_counts_a_big_table(settings):
    pending_withdrawal("40")
    queryset = Transaction.objects.order_by("-pk")
    with CaptureQueriesContext(connection) as queries:
        paginator = EstimatedCountPaginator(queryset, 10)
        paginator.exact_below = 0  # treat the table as big
        count = paginator.count
    assert paginator.estimated and count >= 0
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    small = EstimatedCountPaginator(queryset, 10)
    assert small.count == Transaction.objects.count() and not small.estimated


def test_a_small_filtered_list_is_counted_without_reading_the_table_size():
    """The optimizer's estimate, then the exact count: the table's size only caps a
    large estimate, so it is not read for a small one."""
    pending_withdrawal("40")
    queryset = Transaction.objects.filter(kind="withdrawal").order_by("-pk")
    with CaptureQueriesContext(connection) as queries:
        paginator = EstimatedCountPaginator(queryset, 10)
        count = paginator.count
    assert count == 1 and not paginator.estimated
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 2 and sql[0].startswith("EXPLAIN") and "COUNT(" in sql[1]


def test_keyset_links_page_by_id_on_big_tables():
    seed_roles()
    for _ in range(3):
        pending_withdrawal("5")
    client = client_for(staff(ROLE_OPERATOR))
    admin_ = admin.site._registry[Transaction]
    ids = list(Transaction.objects.order_by("-pk").values_list("pk", flat=True))
    original = admin_.list_per_page
    admin_.list_per_page = 2
    try:
        first = client.get("/admin/wallets/transaction/")
        cl = first.context["cl"]
        assert cl.older_url == f"?id__lt={ids[1]}" and "Older" in first.content.decode()
        second = client.get("/admin/wallets/transaction/" + cl.older_url)
        assert [r.pk for r in second.context["cl"].result_list] == ids[2:4]
        assert second.context["cl"].newest_url == "?"
    finally:
        admin_.list_per_page = original


def test_the_date_drilldown_reads_bounds_not_distinct_dates():
    seed_roles()
    pending_withdrawal("5")
    client = client_for(staff(ROLE_AUDITOR))
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/admin/auditlog/logentry/").content.decode()
    assert "date-back" in html or "toplinks" in html
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


def test_csv_cells_are_exact_and_never_formulas():
    from decimal import Decimal

    assert csv_cell(Decimal("50.000000000000000000")) == "50"
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@sum") == "'@sum" and csv_cell("plain") == "plain" and csv_cell(None) == ""
    moment = timezone.now() - timedelta(days=1)
    assert csv_cell(moment).endswith("+00:00")


def test_deep_page_numbers_are_not_served_on_big_tables():
    seed_roles()
    pending_withdrawal("5")
    client = client_for(staff(ROLE_OPERATOR))
    response = client.get("/admin/wallets/transaction/", {"p": "2000", "kind__exact": "withdrawal"})
    assert response.status_code == 302 and response["Location"] == "/admin/wallets/transaction/?kind__exact=withdrawal"
    assert client.get("/admin/wallets/transaction/", {"p": "2"}).status_code in (200, 302)  # a near page is fine
    sorted_deep = client.get("/admin/wallets/transaction/", {"p": "2000", "o": "2"})
    assert sorted_deep.status_code != 302 or "p=2000" in sorted_deep["Location"]  # sorted lists keep numbers


def test_relative_times_without_timesince():
    from core.admin import relative_time, when_html

    assert relative_time(30) == "moments" and relative_time(3600) == "1 hour" and relative_time(7200) == "2 hours"
    assert relative_time(86_400 * 3) == "3 days" and relative_time(86_400 * 40) == "1 month"
    now = timezone.now()
    html = when_html(now - timedelta(hours=5), now=now)
    assert ">5 hours ago</time>" in html and 'title="' in html and "UTC" in html
    assert ">in 2 days</time>" in when_html(now + timedelta(days=2, minutes=1), now=now)


def test_read_only_amounts_on_change_forms_read_as_people_write_them():
    seed_roles()
    row = pending_withdrawal("1250.5", funded="2000")
    client = client_for(staff(None))
    html = client.get(f"/admin/wallets/transaction/{row.pk}/change/").content.decode()
    assert "1,250.5" in html and "1250.500000000000000000" not in html  # fields, title, breadcrumbs
    from subscriptions.tests.factories import PlanFactory

    plan = PlanFactory(code="plus", price="20")
    form = client.get(f"/admin/subscriptions/plan/{plan.pk}/change/").content.decode()
    assert 'name="price"' in form  # an editable amount stays an input
    response = client.post(
        f"/admin/subscriptions/plan/{plan.pk}/change/",
        {
            "name": plan.name,
            "description": "",
            "price": "25.5",
            "period_days": "30",
            "trial_days": "0",
            "features": "[]",
            "is_active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert str(plan.price.normalize()) == "25.5"
