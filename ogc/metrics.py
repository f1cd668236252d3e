"""The platform's business gauges on ``/metrics`` (what an operator alerts on), read at
scrape time through each app's selectors; the endpoint itself is ``core.metrics``.

Labels are bounded: queue names, actor names and check names are fixed sets; no user,
wallet or request id is ever a label. Each group of gauges is read on its own: one that
fails (a database or broker error) is reported in ``ogc_metrics_collect_errors`` and
the others are still exported. Alert rules and the dashboard: docs/operations.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import dramatiq
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from accounts import selectors as accounts_selectors
from core.check_runs import CHECK_COMMANDS, check_runs_latest
from core.metrics import metrics_response
from core.queue_middleware import actor_stats, queue_depths, worker_heartbeat_age
from notifications import selectors as notification_selectors
from wallets import selectors as wallet_selectors

logger = logging.getLogger(__name__)

#: "Active members": accounts that signed in within this many days.
ACTIVE_MEMBER_DAYS = 30


def _withdrawals() -> Iterator[Metric]:
    summary = wallet_selectors.withdrawals_pending_summary()
    yield GaugeMetricFamily(
        "ogc_withdrawals_awaiting_approval", "Withdrawals waiting for an operator.", value=summary["count"]
    )
    yield GaugeMetricFamily(
        "ogc_withdrawals_awaiting_approval_tokens",
        "Tokens held by the withdrawals waiting for an operator.",
        value=float(summary["total"]),
    )
    oldest = summary["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest is not None else 0.0
    yield GaugeMetricFamily(
        "ogc_withdrawals_oldest_waiting_seconds", "Age of the oldest withdrawal waiting (0: none).", value=age
    )


def _notifications() -> Iterator[Metric]:
    summary = notification_selectors.deliveries_stuck_summary()
    yield GaugeMetricFamily(
        "ogc_notification_deliveries_stuck",
        "Deliveries still queued past the relay's grace period (OGC_NOTIFICATION_REQUEUE_GRACE_MINUTES).",
        value=summary["count"],
    )


def _queues() -> Iterator[Metric]:
    broker = dramatiq.get_broker()
    depth = GaugeMetricFamily("ogc_queue_messages", "Messages waiting in a dramatiq queue.", labels=["queue"])
    for queue, count in queue_depths(broker).items():
        depth.add_metric([queue], count)
    yield depth
    actors = sorted(broker.actors)
    stats = actor_stats(actors)
    processed = CounterMetricFamily(
        "ogc_queue_messages_processed", "Messages an actor processed without error.", labels=["actor"]
    )
    failed = CounterMetricFamily("ogc_queue_messages_failed", "Messages whose actor raised.", labels=["actor"])
    for actor in actors:
        processed.add_metric([actor], stats[("processed", actor)])
        failed.add_metric([actor], stats[("failed", actor)])
    yield processed
    yield failed


def _worker() -> Iterator[Metric]:
    age = worker_heartbeat_age()
    yield GaugeMetricFamily(
        "ogc_worker_heartbeat_seen", "1 when some queue worker has written a heartbeat.", value=int(age is not None)
    )
    if age is not None:
        yield GaugeMetricFamily(
            "ogc_worker_heartbeat_age_seconds", "Seconds since the newest queue worker heartbeat.", value=age
        )


def _checks() -> Iterator[Metric]:
    latest = check_runs_latest(names=CHECK_COMMANDS)
    ok = GaugeMetricFamily("ogc_check_last_ok", "1 when the last full run found nothing wrong.", labels=["check"])
    age = GaugeMetricFamily("ogc_check_last_age_seconds", "Seconds since the last full run ended.", labels=["check"])
    seen = GaugeMetricFamily("ogc_check_ran", "1 when the check has ever run.", labels=["check"])
    now = timezone.now()
    for name, run in latest.items():
        seen.add_metric([name], int(run is not None))
        if run is not None:
            ok.add_metric([name], int(run.ok))
            age.add_metric([name], (now - run.finished_at).total_seconds())
    yield from (seen, ok, age)


def _members_and_ledger() -> Iterator[Metric]:
    now = timezone.now()
    yield GaugeMetricFamily(
        "ogc_members_active",
        f"Active accounts that signed in within {ACTIVE_MEMBER_DAYS} days.",
        value=accounts_selectors.members_active_count(since=now - timedelta(days=ACTIVE_MEMBER_DAYS)),
    )
    yield GaugeMetricFamily(
        "ogc_ledger_entries_last_minute",
        "Journal entries written in the last 60 seconds.",
        value=wallet_selectors.journal_entries_since(since=now - timedelta(seconds=60)),
    )


GROUPS: dict[str, Callable[[], Iterator[Metric]]] = {
    "withdrawals": _withdrawals,
    "notifications": _notifications,
    "queues": _queues,
    "worker": _worker,
    "checks": _checks,
    "members_ledger": _members_and_ledger,
}


class BusinessCollector:
    """A prometheus_client collector: every group, then the errors and the time it took."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        errors = GaugeMetricFamily(
            "ogc_metrics_collect_errors", "1 when a group of business gauges could not be read.", labels=["group"]
        )
        for name, group in GROUPS.items():
            try:
                metrics = list(group())
            except Exception:
                logger.warning("Could not collect the %s metrics.", name, exc_info=True)
                errors.add_metric([name], 1)
                continue
            errors.add_metric([name], 0)
            yield from metrics
        yield errors
        yield GaugeMetricFamily(
            "ogc_metrics_collect_seconds",
            "Time spent reading the business gauges.",
            value=time.perf_counter() - started,
        )


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    return metrics_response(request, [BusinessCollector()])
