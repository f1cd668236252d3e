"""The cluster as a benchmark (issue #20): members' traffic at 1 web node and at 2 web
nodes, same primary, replica, Redis cache and Redis broker.

Set-up (once): a private MariaDB primary and GTID replica (``tests/replication/servers.py``,
own ports and data directories; ``BENCH_CLUSTER_DB=shared`` uses the machine's server
instead, no replica), the throw-away database ``test_ogc_bench_cluster`` migrated on the
primary, ``BENCH_CLUSTER_MEMBERS`` funded members with API tokens and 20 challenges;
two gunicorn web nodes (``tests/live_gunicorn.py``, each ``BENCH_CLUSTER_WEB_WORKERS``
sync workers, the test settings with the cache on Redis and a Redis broker in a private
namespace: ``notifications/tests/worker_settings.py``) and one ``rundramatiq`` worker
delivering the transfer notifications.

The load comes from a separate client process: ``BENCH_CLUSTER_CLIENTS`` threads, closed
loop, one connection per request, a fixed mix per request: 75 % reads (the challenge
list, a leaderboard, the proposal list, the member's transactions: the opted-in replica
reads) and 25 % money POSTs (a 0.01 transfer to another member, a fresh
Idempotency-Key). "1 web" sends every request to node A; "2 webs" alternates A and B
(a round-robin balancer); node B idles during the 1-web runs. The two configurations
alternate for ``BENCH_CLUSTER_RUNS`` rounds of ``BENCH_CLUSTER_SECONDS`` each, so a
change in the machine's load hits both; the table shows the median run (by req/s).

Columns: req/s (answered 2xx), p50/p99 latency, errors (non-2xx or dropped), the client
process's CPU (cores), the web nodes' CPU (cores, from /proc; and per answered request),
the private primary's and replica's CPU (cores; blank on the shared server) and the
whole machine's busy share (/proc/stat; other processes' load shows there and in
the load average printed). Afterwards ``verify_ledger`` must be clean.

    python -m bench cluster       (as root for the private pair; DATABASE_URL for shared)
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "test_ogc_bench_cluster"
SECONDS = float(os.environ.get("BENCH_CLUSTER_SECONDS", "10"))
RUNS = int(os.environ.get("BENCH_CLUSTER_RUNS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLUSTER_CLIENTS", "16"))
WEB_WORKERS = int(os.environ.get("BENCH_CLUSTER_WEB_WORKERS", "2"))
MEMBERS = int(os.environ.get("BENCH_CLUSTER_MEMBERS", "16"))
REDIS = os.environ.get("BENCH_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/12")
POST_SHARE = 0.25


# --- the load generator (its own process: python -m bench.cluster --client) ----------------


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def client(spec: dict) -> dict:
    """Drive ``spec['ports']`` round-robin for ``spec['seconds']``; returns the counts,
    latency percentiles and this process's CPU."""
    ports, members, slugs = spec["ports"], spec["members"], spec["slugs"]
    turn = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + spec["seconds"]

    def one(rng: random.Random) -> None:
        with lock:
            port = ports[next(turn) % len(ports)]
        me = rng.randrange(len(members))
        headers = {"Authorization": f"Token {members[me]['token']}"}
        body = None
        if rng.random() < POST_SHARE:
            method, path = "POST", "/api/v1/wallet/transfers/"
            other = members[(me + 1 + rng.randrange(len(members) - 1)) % len(members)]
            body = json.dumps({"recipient": other["email"], "amount": "0.01"}).encode()
            headers |= {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        else:
            method = "GET"
            path = rng.choice(
                [
                    "/api/v1/challenges/",
                    f"/api/v1/challenges/{rng.choice(slugs)}/leaderboard/",
                    "/api/v1/proposals/",
                    "/api/v1/wallet/transactions/",
                ]
            )
        started = time.perf_counter()
        try:
            status = _request(port, method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            status, kind = 0, type(exc).__name__
        else:
            kind = str(status)
        elapsed = time.perf_counter() - started
        with lock:
            if 200 <= status < 300:
                latencies.append(elapsed)
            else:
                errors[kind] = errors.get(kind, 0) + 1

    def loop(seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            one(rng)

    cpu = time.process_time()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(spec["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = time.process_time() - cpu
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": len(latencies) / spec["seconds"],
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": errors,
        "client_cores": cpu / spec["seconds"],
    }


# --- the run -----------------------------------------------------------------------------------


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _drive(webs: list, spec: dict, db_pids: list[int]) -> dict:
    """One measured run against ``webs`` (the client in its own process)."""
    pids = [pid for web in webs for pid in [web.process.pid, *web.worker_pids()]]
    hz = os.sysconf("SC_CLK_TCK")
    before, db_before, (busy0, total0) = _cpu_ticks(pids), _cpu_ticks(db_pids), _machine_ticks()
    out = subprocess.run(
        [sys.executable, "-m", "bench.cluster", "--client"],
        input=json.dumps({**spec, "ports": [web.port for web in webs]}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=spec["seconds"] + 120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    busy1, total1 = _machine_ticks()
    result["web_cores"] = (_cpu_ticks(pids) - before) / hz / spec["seconds"]
    result["db_cores"] = (_cpu_ticks(db_pids) - db_before) / hz / spec["seconds"]
    result["machine_busy"] = (busy1 - busy0) / max(1, total1 - total0)
    return result


def _seed(spec: dict) -> None:
    from rest_framework.authtoken.models import Token

    from challenges.tests.factories import ChallengeFactory
    from wallets.tests.factories import funded_user

    for i in range(MEMBERS):
        member = funded_user("100000", email=f"cluster-bench-{i}@example.test")
        spec["members"].append({"email": member.email, "token": Token.objects.create(user=member).key})
    spec["slugs"] = [ChallengeFactory(title=f"Bench challenge {i}").slug for i in range(20)]


def _print_table(rows: dict[str, list[dict]]) -> None:
    print(
        f"{'web nodes':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'client cores':>12} {'web cores':>9} {'web ms/req':>10} {'db cores':>8} {'machine busy':>12}   runs (req/s)"
    )
    for label, runs in rows.items():
        median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
        errors = sum(median["errors"].values())
        print(
            f"{label:>9} {median['rps']:>7.1f} {median['p50_ms']:>7.1f} {median['p99_ms']:>7.1f} {errors:>6} "
            f"{median['client_cores']:>12.2f} {median['web_cores']:>9.2f} "
            f"{1000 * median['web_cores'] / max(median['rps'], 0.1):>10.1f} {median['db_cores']:>8.2f} "
            f"{median['machine_busy']:>11.0%}   "
            + ", ".join(f"{r['rps']:.1f}" for r in runs)
            + (f"  errors {median['errors']}" if errors else ""),
            flush=True,
        )


def _run_cluster(database_urls: tuple[str, str | None], pair) -> None:
    from django.core.management import call_command
    from django.db import connection

    from notifications.tests.live import Workers
    from tests.live_gunicorn import GunicornServer, mysql_url

    spec: dict = {"members": [], "slugs": [], "seconds": SECONDS, "clients": CLIENTS}
    _seed(spec)
    if pair is not None:
        pair.wait_caught_up(timeout=120)
    namespace = f"ogc-bench-cluster-{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix="ogc-bench-cluster-"))
    (tmp / "mail").mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "DATABASE_URL": mysql_url(connection.settings_dict),
        "CACHE_URL": REDIS,
        "DRAMATIQ_BROKER_URL": REDIS,
        "OGC_TEST_REDIS_NAMESPACE": namespace,
        "OGC_TEST_EMAIL_DIR": str(tmp / "mail"),
    }
    if database_urls[1]:
        replica = database_urls[1].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
        env["DATABASE_REPLICA_URLS"] = replica
    workers = Workers(broker_url=REDIS, namespace=namespace, mail_dir=tmp / "mail", log_dir=tmp, env=env)
    webs = [GunicornServer(env=env, workers=WEB_WORKERS) for _ in range(2)]
    rows: dict[str, list[dict]] = {"1": [], "2": []}
    try:
        workers.start(threads=2)
        for web in webs:
            web.start()
        db_pids = [pair.primary.process.pid, pair.replica.process.pid] if pair is not None else []
        _drive(webs, {**spec, "seconds": 2.0}, db_pids)  # warm-up: imports, connections, caches
        load_before = os.getloadavg()[0]
        for _ in range(RUNS):
            rows["1"].append(_drive(webs[:1], spec, db_pids))
            rows["2"].append(_drive(webs, spec, db_pids))
        print(
            f"{SECONDS:.0f} s per run, {RUNS} runs per configuration, {CLIENTS} client threads, "
            f"{WEB_WORKERS} sync workers per web node, {os.cpu_count()} cores, "
            f"{'private primary + replica' if pair is not None else 'shared server, no replica'}; "
            f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}"
        )
        _print_table(rows)
    finally:
        for web in webs:
            web.stop()
        workers.stop_all()
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"*{namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()
    call_command("verify_ledger")  # exits non-zero on drift
    print("verify_ledger: clean")


def main() -> None:
    from tests.replication.servers import MariaDBPair, missing_reason

    mode = os.environ.get("BENCH_CLUSTER_DB", "pair")
    pair = None
    if mode == "pair":
        reason = missing_reason()
        if reason:
            print(f"No private MariaDB pair ({reason}); using the shared server (BENCH_CLUSTER_DB=shared).")
            mode = "shared"
    try:
        if mode == "pair":
            pair = MariaDBPair().start()
            os.environ["DATABASE_URL"] = pair.url()
            os.environ["DATABASE_REPLICA_URLS"] = pair.replica_url()
            replica = pair.replica_url()
        else:
            os.environ.setdefault("DATABASE_URL", "mysql://ogc:ogc-dev-password@127.0.0.1:3306/ogc")
            os.environ.pop("DATABASE_REPLICA_URLS", None)
            replica = None
        from bench._db import on_throwaway_db

        on_throwaway_db(DB_NAME, "bench.cluster", lambda: _run_cluster((os.environ["DATABASE_URL"], replica), pair))
    finally:
        if pair is not None:
            pair.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--client"]:
        print(json.dumps(client(json.loads(sys.stdin.read()))))
    else:
        main()
