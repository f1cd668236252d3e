"""The operator console at scale: p50/p99 and query counts of every console page.

Database: ``test_ogc_bench_admin``, built by ``bench/_admin_fixture.py`` (``seed --demo
--users 10000`` plus bulk ledger rows and audit entries: 10,000 members, 200,000 ledger
rows, 250,000 audit entries). It is kept between runs and completed if a step is
missing; ``BENCH_ADMIN_REBUILD=1`` drops and builds it again (about 3 minutes).

Pages, through Django's test ``Client`` in this process (no HTTP server: the whole
middleware stack, sessions, CSP and the admin's permission checks, as a browser's
request gets them):

* every changelist and one change form (the newest row) of every model registered in
  the admin, as the superuser;
* the dashboard of each role, the work queues, the global search, deep pages of the
  audit log and the ledger (keyset links), their common filters.

Each page is requested ``WARMUP`` times, then ``REQUESTS`` times timed; p50 and p99 are
taken over those requests, and the whole pass runs ``PASSES`` times: the table shows the
median of the passes' p50 and p99 (one busy moment of the shared machine does not make
a page's number); "cpu ms" is the median CPU time of this process per request (Django's
work without the database server's and without waiting for a core: the part of a page's
time that does not depend on the machine's load). Queries: the count of the last request
(CaptureQueriesContext). Like the gunicorn workers (gunicorn.conf.py), the process
freezes its startup heap out of the garbage collector before the first request
(``BENCH_ADMIN_GC_FREEZE=0`` measures without), and each page gets a fresh test client.
Target: p99 < 150 ms on every page. Then the CSV exports are streamed whole (rows,
seconds, peak Python memory while streaming). Env: BENCH_ADMIN_REQUESTS,
BENCH_ADMIN_PASSES, BENCH_ADMIN_ONLY (a substring of the page names to run),
BENCH_ADMIN_EXPORTS=0 to skip the exports, BENCH_ADMIN_GC_FREEZE.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from dataclasses import dataclass, field

from bench import _admin_fixture as fixture

REQUESTS = int(os.environ.get("BENCH_ADMIN_REQUESTS", "30"))
GC_FREEZE = os.environ.get("BENCH_ADMIN_GC_FREEZE", "1") == "1"
PASSES = int(os.environ.get("BENCH_ADMIN_PASSES", "3"))
WARMUP = 2
TARGET_P99_MS = 150.0


@dataclass
class Page:
    name: str
    url: str
    role: str
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _accounts() -> dict:
    from django.conf import settings

    from accounts.models import User

    return {
        "superuser": User.objects.get(email=settings.OGC_ADMIN_EMAIL),
        "operator": User.objects.get(email="operator@demo.ogc.local"),
        "auditor": User.objects.get(email="auditor@demo.ogc.local"),
        "moderator": User.objects.get(email=fixture.MODERATOR_EMAIL),
    }


def _pages() -> list[Page]:
    from auditlog.models import LogEntry
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    from wallets.models import Transaction

    pages: list[Page] = []

    def add(name: str, role: str, viewname: str, *args, query: str = "") -> None:
        try:
            url = reverse(viewname, args=args)
        except NoReverseMatch:
            return
        pages.append(Page(name, url + (f"?{query}" if query else ""), role))

    for role in ("operator", "moderator", "auditor", "superuser"):
        add(f"dashboard ({role})", role, "admin:index")
    add("search: email", "operator", "admin:console_search", query="q=demo42%40demo.ogc.local")
    add("search: name", "operator", "admin:console_search", query="q=Okafor")
    add("search: address", "operator", "admin:console_search", query="q=0x" + "0" * 6)
    add("queue: withdrawals", "operator", "admin:wallets_transaction_withdrawal_queue")
    add("queue: submissions", "moderator", "admin:challenges_submission_review_queue")
    add("queue: past-due subscriptions", "operator", "admin:subscriptions_subscription_past_due_queue")
    oldest_txn = Transaction.objects.order_by("pk").values_list("pk", flat=True)[500]
    oldest_log = LogEntry.objects.order_by("pk").values_list("pk", flat=True)[500]
    middle_txn = Transaction.objects.order_by("pk").values_list("pk", flat=True)[100_000]
    middle_log = LogEntry.objects.order_by("pk").values_list("pk", flat=True)[125_000]
    add("ledger: deep page (keyset)", "operator", "admin:wallets_transaction_changelist", query=f"id__lt={oldest_txn}")
    add("ledger: middle (keyset)", "operator", "admin:wallets_transaction_changelist", query=f"id__lt={middle_txn}")
    add("ledger: page 5", "operator", "admin:wallets_transaction_changelist", query="p=5")
    add("ledger: kind=withdrawal", "operator", "admin:wallets_transaction_changelist", query="kind__exact=withdrawal")
    add("ledger: kind=adjustment", "operator", "admin:wallets_transaction_changelist", query="kind__exact=adjustment")
    add("ledger: status=pending", "operator", "admin:wallets_transaction_changelist", query="status__exact=pending")
    add("ledger: search email", "operator", "admin:wallets_transaction_changelist", query="q=demo42%40demo.ogc.local")
    add("audit: deep page (keyset)", "auditor", "admin:auditlog_logentry_changelist", query=f"id__lt={oldest_log}")
    add("audit: middle (keyset)", "auditor", "admin:auditlog_logentry_changelist", query=f"id__lt={middle_log}")
    add("audit: page 5", "auditor", "admin:auditlog_logentry_changelist", query="p=5")
    add(
        "audit: one month",
        "auditor",
        "admin:auditlog_logentry_changelist",
        query=f"timestamp__year={_month_ago().year}&timestamp__month={_month_ago().month}",
    )
    add("audit: with empty rows", "auditor", "admin:auditlog_logentry_changelist", query="empty=show")
    add("audit: action=create", "auditor", "admin:auditlog_logentry_changelist", query="action__exact=0")
    add("audit: named action", "auditor", "admin:auditlog_logentry_changelist", query="named=withdrawal_approve")
    add("audit: object type wallet", "auditor", "admin:auditlog_logentry_changelist", query="type=wallets.wallet")
    add("audit: search email", "auditor", "admin:auditlog_logentry_changelist", query="q=operator%40demo.ogc.local")
    add("notifications: stuck", "operator", "admin:notifications_notification_changelist", query="delivery=stuck")

    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        opts = model._meta
        label = opts.label_lower
        add(f"{label}: list", "superuser", f"admin:{opts.app_label}_{opts.model_name}_changelist")
        newest = model_admin.get_queryset(_FakeRequest()).order_by("-pk").values_list("pk", flat=True).first()
        if newest is not None:
            add(f"{label}: change form", "superuser", f"admin:{opts.app_label}_{opts.model_name}_change", newest)
    only = os.environ.get("BENCH_ADMIN_ONLY")
    return [p for p in pages if not only or only in p.name]


def _month_ago():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=31)


class _FakeRequest:
    """Enough of a request for ModelAdmin.get_queryset (which some admins read)."""

    GET: dict = {}
    user = None


def _measure(pages: list[Page], clients: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        # A fresh client per page, on the role's session: Django's test Client leaves a
        # weakref finalizer on itself at every request (its got_request_exception
        # receiver), so one client kept for a whole run piled up ~80,000 objects for the
        # collector to walk (full collections grew from ~70 to ~300 ms during a run).
        client = Client()
        client.cookies = clients[page.role].cookies
        for _ in range(WARMUP):
            client.get(page.url)
        samples, cpu = [], []
        for _ in range(REQUESTS):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(page.url)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.url)
        page.status = response.status_code
        page.queries = len(captured)
        page.p50.append(_percentile(samples, 0.5))
        page.p99.append(_percentile(samples, 0.99))
        page.cpu.append(_percentile(cpu, 0.5))


def _exports(clients: dict) -> list[tuple[str, int, float, float]]:
    """Stream whole exports, consuming and dropping each chunk: rows, seconds, and the
    peak of Python's allocations while streaming (tracemalloc), for two sizes of the
    same list: constant memory means the peak does not grow with the rows."""
    import tracemalloc

    runs = []
    for name, role, url in (
        (
            "transactions, 1 month",
            "operator",
            f"/admin/wallets/transaction/export.csv?created_at__gte={_month_ago():%Y-%m-%d}",
        ),
        ("transactions, all", "operator", "/admin/wallets/transaction/export.csv"),
        ("audit entries, all", "auditor", "/admin/auditlog/logentry/export.csv?empty=show"),
    ):
        start = time.perf_counter()
        response = clients[role].get(url)
        tracemalloc.start()
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        runs.append((name, lines - 1, time.perf_counter() - start, peak / 1_048_576))
    return runs


def main() -> None:
    if os.environ.get("BENCH_ADMIN_REBUILD") == "1":
        os.environ.pop("BENCH_ADMIN_REUSE", None)
        reuse = False
    else:
        reuse = True
    fixture.setup_django()
    from django.conf import settings
    from django.test import Client

    # Not setup_test_environment(): it instruments every template render (a signal per
    # template) and would bill the console for the test framework's bookkeeping.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    fixture.build(reuse=reuse)
    accounts = _accounts()
    clients = {}
    for role, user in accounts.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    pages = _pages()
    if GC_FREEZE:
        # As a gunicorn worker does once the app is loaded (gunicorn.conf.py,
        # post_worker_init): the startup heap is out of the collector's walks.
        gc.collect()
        gc.freeze()
    for n in range(PASSES):
        started = time.perf_counter()
        _measure(pages, clients)
        print(f"pass {n + 1}/{PASSES}: {time.perf_counter() - started:.0f}s", flush=True)
    width = max(len(p.name) for p in pages) + 2
    print(f"\n{'page':<{width}}{'as':<11}{'status':>7}{'queries':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>8}  verdict")
    missed = []
    for page in pages:
        p50, p99, cpu = statistics.median(page.p50), statistics.median(page.p99), statistics.median(page.cpu)
        verdict = "ok" if p99 < TARGET_P99_MS and page.status == 200 else "MISS"
        if verdict != "ok":
            missed.append(page.name)
        print(
            f"{page.name:<{width}}{page.role:<11}{page.status:>7}{page.queries:>9}{p50:>9.1f}{p99:>9.1f}{cpu:>8.1f}  {verdict}"
        )
    print(
        f"\n{len(pages)} pages, {REQUESTS} timed requests x {PASSES} passes each; "
        f"{len(pages) - len(missed)} within p99 < {TARGET_P99_MS:.0f} ms"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if os.environ.get("BENCH_ADMIN_EXPORTS", "1") == "1":
        print(f"\n{'export (streamed CSV)':<28}{'rows':>9}{'seconds':>9}{'peak MiB':>10}")
        for name, rows, seconds, peak in _exports(clients):
            print(f"{name:<28}{rows:>9}{seconds:>9.1f}{peak:>10.1f}")
