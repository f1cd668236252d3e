"""How many gunicorn workers (and threads) serve a read endpoint best on this machine.

Starts gunicorn on 127.0.0.1 with production settings (HTTPS redirect off, anonymous
throttles lifted, a throwaway MariaDB database ``test_ogc_bench_gunicorn`` migrated here) for
each (workers, threads) pair, drives ``GET /api/v1/challenges/`` from a second
process (a thread pool of ``http.client`` connections, one request per connection as
gunicorn's sync worker closes them) for a bounded time, and prints requests/s and
latency percentiles. Loopback only; every run stops by itself.

    DATABASE_URL=mysql://ogc:...@127.0.0.1:3306/ogc python -m bench gunicorn_workers

Knobs: ``OGC_BENCH_SECONDS`` (per configuration, default 8), ``OGC_BENCH_CONCURRENCY``
(client threads, default 16), ``OGC_BENCH_CONFIGS`` ("1x1,2x1,..." workers x threads).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/challenges/"
DB_NAME = "test_ogc_bench_gunicorn"
DEFAULT_CONFIGS = "1x1,2x1,3x1,4x1,5x1,2x2,2x4,3x2,4x2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OGC_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ogc.settings.production",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": database_url,
            # Per-process cache: the only cache user on this path is the (disabled) throttle,
            # and a shared Redis database would carry state between runs.
            "CACHE_URL": os.environ.get("OGC_BENCH_CACHE_URL", "locmemcache://bench"),
            # Throttles lifted (UserRateThrottle also counts anonymous clients by address).
            "OGC_THROTTLE_ANON": "100000000/min",
            "OGC_THROTTLE_USER": "100000000/min",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


def _server_sql(base_url: str, sql: str) -> None:
    """Run one statement on the MariaDB server of ``base_url`` (no database selected)."""
    import MySQLdb

    parsed = urlparse(base_url)
    conn = MySQLdb.connect(
        host=parsed.hostname, port=parsed.port or 3306, user=parsed.username, passwd=parsed.password or ""
    )
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def _prepare_database(base_url: str) -> str:
    """Create and migrate the throwaway database; returns its URL."""
    _server_sql(base_url, f"CREATE DATABASE IF NOT EXISTS `{DB_NAME}` CHARACTER SET utf8mb4")
    url = urlparse(base_url)._replace(path=f"/{DB_NAME}").geturl()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=_env(url), check=True
    )
    return url


def _drop_database(base_url: str) -> None:
    _server_sql(base_url, f"DROP DATABASE IF EXISTS `{DB_NAME}`")


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", PATH)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not answer {PATH} in {timeout}s")


def load(port: int, seconds: float, concurrency: int) -> dict:
    """The load generator (runs in its own process: see ``_drive``)."""
    deadline = time.monotonic() + seconds

    def worker() -> tuple[list[float], list[str]]:
        latencies: list[float] = []
        errors: list[str] = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", PATH)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    errors.append(str(response.status))
                    continue
            except OSError as exc:
                errors.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - started)
        return latencies, errors

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda _: worker(), range(concurrency)))
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = Counter(e for _, errs in results for e in errs)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def _drive(port: int, seconds: float, concurrency: int) -> dict:
    code = f"import json; from bench.gunicorn_workers import load; print(json.dumps(load({port}, {seconds}, {concurrency})))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_config(database_url: str, workers: int, threads: int, seconds: float, concurrency: int) -> dict:
    port = _free_port()
    env = _env(database_url) | {"OGC_GUNICORN_WORKERS": str(workers), "OGC_GUNICORN_THREADS": str(threads)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "ogc.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        _drive(port, 1.0, concurrency)  # warm-up: imports, connections
        return _drive(port, seconds, concurrency)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    base_url = os.environ.get("DATABASE_URL", "mysql://ogc:ogc-dev-password@127.0.0.1:3306/ogc")
    seconds = float(os.environ.get("OGC_BENCH_SECONDS", "8"))
    concurrency = int(os.environ.get("OGC_BENCH_CONCURRENCY", "16"))
    configs = [
        tuple(int(n) for n in c.split("x")) for c in os.environ.get("OGC_BENCH_CONFIGS", DEFAULT_CONFIGS).split(",")
    ]
    print(f"GET {PATH} for {seconds:.0f}s per configuration, {concurrency} client threads, {os.cpu_count()} cores")
    url = _prepare_database(base_url)
    try:
        print(f"{'workers':>7} {'threads':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}", flush=True)
        for workers, threads in configs:
            r = run_config(url, workers, threads, seconds, concurrency)
            print(
                f"{workers:>7} {threads:>7} {r['rps']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7} {r['errors']:>6}"
                + (f"  {r['error_kinds']}" if r["errors"] else ""),
                flush=True,
            )
    finally:
        _drop_database(base_url)


if __name__ == "__main__":
    main()
