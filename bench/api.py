"""API throughput: two read endpoints of ours against plain Django views, same run.

Ours: ``GET /api/v1/wallet/transactions/?page_size=50`` (token-authenticated, a
user with 60 ledger rows) and ``GET /api/v1/challenges/?page_size=50`` (anonymous,
60 public challenges) — DRF with everything production runs: authentication,
permissions, throttles (on a Redis cache), filters, pagination, serializers.
Baseline: ``bench/_urls_baseline.py``, the same rows as ``JsonResponse`` over
``.values()`` (the transactions baseline checks the same token with one query).
Both run in one gunicorn started with the production settings
(``bench._settings_api`` = ``ogc.settings.production`` + the baseline URLconf) and
the project's ``gunicorn.conf.py`` (its workers and threads; HTTPS redirect off on loopback,
throttle rates raised so the bench is not refused), on the throw-away database
``test_ogc_bench_api`` (created, migrated and dropped here).

The load comes from a second process (a Python client: ``BENCH_API_CLIENTS``
threads, closed loop, one ``http.client`` connection per request because
the same for both paths), for ``BENCH_API_SECONDS`` per
measurement; ours and the baseline alternate over ``BENCH_API_ROUNDS`` rounds so
a change in the machine's load hits both. Prints requests/s, p50 and p99 per
endpoint and the ratio ours / baseline (target >= 0.6).

    DATABASE_URL=mysql://ogc:...@127.0.0.1:3306/ogc python -m bench api
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import statistics
import threading
import time
from pathlib import Path

SECONDS = float(os.environ.get("BENCH_API_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "8"))
ROUNDS = int(os.environ.get("BENCH_API_ROUNDS", "2"))
CACHE_URL = os.environ.get("BENCH_API_CACHE_URL", "redis://127.0.0.1:6379/14")
DB_NAME = "test_ogc_bench_api"
ROWS = 60
TARGET = 0.6
ROOT = Path(__file__).resolve().parent.parent

PAIRS = [
    ("transactions", "/api/v1/wallet/transactions/?page_size=50", "/bench/baseline/transactions/", True),
    ("challenges", "/api/v1/challenges/?page_size=50", "/bench/baseline/challenges/", False),
]


# --- the load generator (runs in its own process) ------------------------------------------


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load(port: int, path: str, headers: dict[str, str], seconds: float, clients: int, out) -> None:
    """``clients`` threads request ``path`` back to back for ``seconds``; puts
    (requests per second, sorted latencies in seconds, errors) on ``out``."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        mine = []
        failed = 0
        while (started := time.perf_counter()) < deadline:
            try:
                status, _ = _get(port, path, headers)
            except (OSError, http.client.HTTPException):
                failed += 1
                continue
            if status != 200:
                failed += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    out.put((len(latencies) / elapsed, sorted(latencies), errors[0]))


def _measure(port: int, path: str, headers: dict[str, str], seconds: float) -> tuple[float, list[float], int]:
    ctx = mp.get_context("spawn")  # a clean interpreter: no Django, no inherited sockets
    out = ctx.Queue()
    process = ctx.Process(target=_load, args=(port, path, headers, seconds, CLIENTS, out))
    process.start()
    result = out.get(timeout=seconds + 120)
    process.join(timeout=30)
    return result


def _percentile(latencies: list[float], q: int) -> float:
    if len(latencies) < 2:
        return latencies[0] if latencies else 0.0
    return statistics.quantiles(latencies, n=100)[q - 1]


# --- data, server, report --------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = DB_NAME
    import django

    django.setup()


def _populate() -> str:
    """A member with ``ROWS`` ledger rows and ``ROWS`` public challenges, through the
    services; returns the member's API token."""
    import io
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import api_token_for
    from challenges.services import challenge_create
    from wallets.services import deposit_create, stake_create, unstake_create

    call_command("seed", "--no-admin", stdout=io.StringIO())
    member = User.objects.create_user(email="bench-member@example.test", password="bench-password-123")
    deposit_create(user=member, amount="100000", memo="bench funding")
    for i in range(ROWS - 1):
        if i % 2 == 0:
            stake_create(user=member, amount=f"{i + 10}.5")
        else:
            unstake_create(user=member, amount="4.25")
    operator = User.objects.create_user(email="bench-operator@example.test", password="bench-password-123")
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    operator.groups.add(Group.objects.get(name="operator"))
    now = timezone.now()
    for i in range(ROWS):
        starts = now + timedelta(days=i - ROWS // 2)
        challenge_create(
            created_by=operator,
            slug=f"bench-{i}",
            title=f"Benchmark challenge {i}",
            description="A realistic description of a challenge. " * 8,
            rules="Be kind. Submit original work.",
            category="design",
            tags=["art", "logo"],
            starts_at=starts,
            ends_at=starts + timedelta(days=14),
            prize_pool="300",
            prize_split=["150", "100", "50"],
            max_submissions_per_user=3,
            status="scheduled",
        )
    return api_token_for(member)


def _server_env() -> dict[str, str]:
    from django.db import connection

    from tests.live_gunicorn import mysql_url

    return {
        "DJANGO_SETTINGS_MODULE": "bench._settings_api",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "CACHE_URL": CACHE_URL,
        "OGC_THROTTLE_USER": "100000000/min",
        "OGC_THROTTLE_ANON": "100000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
        "OGC_GUNICORN_LOG_LEVEL": "info",
    }


def _same_rows(server, ours: str, baseline: str, headers: dict[str, str], key: str) -> int:
    """Both answer 200 with the same rows (by ``key``) in the same order."""
    status_a, body_a = server.request("GET", ours, headers=headers)
    status_b, body_b = server.request("GET", baseline, headers=headers)
    if (status_a, status_b) != (200, 200):
        raise RuntimeError(f"{ours} -> {status_a} {body_a[:300]!r}; {baseline} -> {status_b} {body_b[:300]!r}")
    rows_a = [row[key] for row in json.loads(body_a)["results"]]
    rows_b = [row[key] for row in json.loads(body_b)["results"]]
    if rows_a != rows_b or len(rows_a) != 50:
        raise RuntimeError(f"{ours} and {baseline} disagree: {len(rows_a)} vs {len(rows_b)} rows")
    return len(rows_a)


def main() -> None:
    _setup_django()
    from django.db import connection

    if connection.vendor != "mysql":
        print("bench.api needs MariaDB/MySQL (DATABASE_URL); skipped.")
        return
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DB_NAME
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        token = _populate()
        _run(token)
        _profile(token)
    finally:
        connection.close()
        connection.creation.destroy_test_db(original_name, verbosity=0)


def _run(token: str) -> None:
    from tests.live_gunicorn import GunicornServer

    config = ROOT / "gunicorn.conf.py"
    with GunicornServer(
        env=_server_env(), workers=None if config.exists() else 4, config=str(config) if config.exists() else None
    ) as server:
        workers = len(server.worker_pids())
        print(
            f"gunicorn: {workers} workers x {os.environ.get('OGC_GUNICORN_THREADS', 'default')} threads "
            f"({'gunicorn.conf.py' if config.exists() else 'built-in flags, sync'}), "
            f"production settings, cache {CACHE_URL}; client: 1 process x {CLIENTS} threads, "
            f"{SECONDS:g} s x {ROUNDS} rounds per path, {os.cpu_count()} cores"
        )
        auth = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
        anon = {"Host": "127.0.0.1"}
        print(
            f"{'endpoint':<14} {'':<9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   ratio (req/s ours/plain)"
        )
        for name, ours, baseline, authenticated in PAIRS:
            headers = auth if authenticated else anon
            _same_rows(server, ours, baseline, headers, "id" if authenticated else "slug")
            for path in (ours, baseline):  # warm-up: imports, connections, caches
                _measure(server.port, path, headers, 1.0)
            results: dict[str, tuple[float, list[float], int]] = {"ours": (0.0, [], 0), "plain": (0.0, [], 0)}
            for _ in range(ROUNDS):
                for label, path in (("ours", ours), ("plain", baseline)):
                    rps, latencies, errors = _measure(server.port, path, headers, SECONDS)
                    total_rps, all_latencies, all_errors = results[label]
                    results[label] = (total_rps + rps / ROUNDS, sorted(all_latencies + latencies), all_errors + errors)
            for label in ("ours", "plain"):
                rps, latencies, errors = results[label]
                ratio = ""
                if label == "plain":
                    value = results["ours"][0] / rps if rps else 0.0
                    ratio = f"{value:.2f}x" + ("" if value >= TARGET else "  < target")
                print(
                    f"{name:<14} {label:<9} {rps:>8.0f} {_percentile(latencies, 50) * 1000:>7.1f} "
                    f"{_percentile(latencies, 99) * 1000:>7.1f} {errors:>6}   {ratio}",
                    flush=True,
                )


# --- where the time goes (in process, cProfile) ----------------------------------------------

PROFILED = [
    ("the whole request (middleware included)", "django/core/handlers/base.py", "get_response"),
    ("DRF authentication (token lookup)", "rest_framework/request.py", "_authenticate"),
    ("DRF throttles (cache)", "rest_framework/views.py", "check_throttles"),
    ("pagination (queries, model instances)", "rest_framework/pagination.py", "paginate_queryset"),
    ("serializer (.data)", "rest_framework/serializers.py", "data"),
    ("SQL execution (client side)", "MySQLdb/cursors.py", "execute"),
    ("JSON rendering", "rest_framework/renderers.py", "render"),
]


def _profile(token: str, rounds: int = 200) -> None:
    """The same requests through Django's test client in this process, with
    ``bench._urls_baseline``: ms per request of each path, then cProfile shares of
    each stage of ours. cProfile inflates every time; the shares are the point."""
    import cProfile
    import pstats

    from django.test import Client
    from django.test.utils import override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(ROOT_URLCONF="bench._urls_baseline"):
        print(f"\nin process (test client, test settings), {rounds} requests each:")
        for name, ours, baseline, authenticated in PAIRS:
            headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if authenticated else {}
            times = {}
            for label, path in (("ours", ours), ("plain", baseline)):
                client.get(path, **headers)
                started = time.perf_counter()
                for _ in range(rounds):
                    client.get(path, **headers)
                times[label] = (time.perf_counter() - started) / rounds * 1000
            print(
                f"  {name:<14} ours {times['ours']:6.2f} ms  plain {times['plain']:6.2f} ms  "
                f"ratio {times['plain'] / times['ours']:.2f}x"
            )
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(rounds):
                client.get(ours, **headers)
            profiler.disable()
            stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
            total = None
            for label, file_part, func in PROFILED:
                cumulative = max(
                    (v[3] for (f, _line, fn), v in stats.items() if fn == func and f.endswith(file_part)), default=0.0
                )
                total = total or cumulative or 1.0
                print(f"      {label:<42} {cumulative / rounds * 1000:7.2f} ms  {cumulative / total:6.1%}")
