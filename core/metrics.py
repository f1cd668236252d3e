"""``/metrics``: Prometheus exposition, refused unless the caller is allowed.

Allowed: a ``Authorization: Bearer <OGC_METRICS_TOKEN>`` header (compared in constant
time), or a ``REMOTE_ADDR`` inside one of ``OGC_METRICS_ALLOWED_NETWORKS`` (CIDRs).
Both unset (the default): every request gets a 403. Behind the TLS proxy
``REMOTE_ADDR`` is the proxy, so the proxy must not forward ``/metrics``
(docs/operations.md): scrape the app server directly, or use the token.

What is exported: django-prometheus' request, response, view and database metrics of
this process (or, with ``PROMETHEUS_MULTIPROC_DIR`` set, of every gunicorn worker of
this host, prometheus_client's multiprocess mode), followed by the collectors the
caller passes (the platform's business gauges, ``ogc/metrics.py``), read from the
database at scrape time.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.registry import Collector


def metrics_allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "OGC_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    presented = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if token and presented and hmac.compare_digest(presented.encode(), token.encode()):
        return True
    networks = getattr(settings, "OGC_METRICS_ALLOWED_NETWORKS", [])
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def process_registry() -> CollectorRegistry:
    """This host's web metrics: every worker's in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_response(request: HttpRequest, collectors: Iterable[Collector] = ()) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Metrics are not available to this client.\n", status=403, content_type="text/plain")
    body = generate_latest(process_registry())
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)
    body += generate_latest(extra)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
