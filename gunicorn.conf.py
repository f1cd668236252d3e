"""gunicorn settings for OGC NewFinity: ``gunicorn -c gunicorn.conf.py ogc.wsgi``.

Workers and threads come from the environment; the defaults were chosen by
measurement on the 2-core reference machine (``python -m bench gunicorn_workers``,
numbers in docs/performance.md, "gunicorn workers").
"""

import os

bind = os.environ.get("OGC_GUNICORN_BIND", "0.0.0.0:8000")
# Measured on 2 cores (docs/performance.md): throughput plateaus from 2 processes on;
# 2 workers x 4 threads was at the top in both passes, with half the memory of 4
# processes; threads cover the time a request waits on MariaDB. On more cores, start
# from one worker per core and keep 4 threads.
workers = int(os.environ.get("OGC_GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("OGC_GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer than this is killed and logged (the money services hold
# row locks briefly; nothing legitimate runs near this long).
timeout = int(os.environ.get("OGC_GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("OGC_GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("OGC_GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Behind the TLS-terminating proxy: trust its X-Forwarded-* only from these addresses.
forwarded_allow_ips = os.environ.get("OGC_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("OGC_GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Once the worker has loaded the application: collect, then freeze what is left
    (modules, classes, settings, URL patterns: ~85,000 objects that live as long as the
    process) out of the garbage collector's reach. Its full collections then walk only
    what requests leave behind; before, each one walked the whole startup heap too and
    stopped a request for 70-300 ms (docs/performance.md, "Operator console")."""
    import gc

    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set (docs/operations.md, "Metrics"), every worker
    writes its metrics to files there and /metrics adds them up; a worker that exits
    (recycled after max_requests, killed on timeout) must have its live gauges dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
