"""The periodic job: the command, its concurrency safety and the dramatiq actor."""

import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from subscriptions import services, tasks
from subscriptions.models import Subscription, SubscriptionPeriod, SubscriptionStatus
from subscriptions.tests.factories import PlanFactory
from subscriptions.tests.helpers import assert_ledger_clean, kinds_notified, payments_of
from wallets.tests.factories import funded_user

S = SubscriptionStatus
T0 = timezone.now().replace(microsecond=0) - timedelta(days=40)
DAY = timedelta(days=1)


def _setup(count: int, *, funds: str = "100"):
    plan = PlanFactory(code="job-pro", price=Decimal("30"), period_days=30)
    users = [funded_user(funds) for _ in range(count)]
    for user in users:
        services.subscription_subscribe(user=user, plan_code=plan.code, now=T0)
    return plan, users


@pytest.mark.django_db
def test_command_reports_and_processes_as_of_now():
    _, (rich,) = _setup(1)
    poor = funded_user("30")
    services.subscription_subscribe(user=poor, plan_code="job-pro", now=T0)
    out = StringIO()
    call_command("process_subscriptions", now=(T0 + 30 * DAY).isoformat(), stdout=out)
    assert "2 subscription(s) checked; past_due: 1, renewed: 1; 0 error(s)." in out.getvalue()
    assert Subscription.objects.get(user=poor).status == S.PAST_DUE
    assert Subscription.objects.get(user=rich).status == S.ACTIVE
    with pytest.raises(CommandError):
        call_command("process_subscriptions", now="yesterday")


@pytest.mark.django_db
def test_command_writes_audit_entries_naming_itself():
    from auditlog.models import LogEntry

    _setup(1)
    call_command("process_subscriptions", now=(T0 + 30 * DAY).isoformat(), stdout=StringIO())
    entries = LogEntry.objects.filter(content_type__model="subscription", cid__startswith="cmd:process_subscriptions:")
    assert entries.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_pay_each_due_period_exactly_once():
    """Two threads, each with its own connection, run the job at once."""
    _, users = _setup(6)
    poor = funded_user("30")
    services.subscription_subscribe(user=poor, plan_code="job-pro", now=T0)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            call_command("process_subscriptions", now=(T0 + 30 * DAY).isoformat(), stdout=StringIO())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for user in users:
        assert [p.amount for p in payments_of(user)] == [Decimal("30"), Decimal("30")]
        assert kinds_notified(user)["subscription_renewed"] == 1
        assert SubscriptionPeriod.objects.filter(subscription__user=user).count() == 2
    assert Subscription.objects.get(user=poor).status == S.PAST_DUE
    assert kinds_notified(poor)["subscription_renewal_failed"] == 1
    assert_ledger_clean()


@pytest.mark.django_db(transaction=True)
@override_settings(OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES=0)
def test_actor_runs_the_job_on_a_real_worker(broker, worker):
    plan = PlanFactory(code="actor-pro", price=Decimal("30"), period_days=30)
    user = funded_user("100")
    # Started 31 days ago: the actor (which uses the real clock) finds it due.
    services.subscription_subscribe(user=user, plan_code=plan.code, now=timezone.now() - 31 * DAY)
    tasks.process_subscriptions_periodically.send()
    broker.join(tasks.QUEUE, fail_fast=True)
    worker.join()
    assert len(payments_of(user)) == 2
    assert Subscription.objects.get(user=user).current_period_end > timezone.now()


@pytest.mark.django_db
@override_settings(OGC_SUBSCRIPTION_PROCESS_EVERY_MINUTES=15)
def test_actor_reschedules_itself_and_duplicate_chains_collapse(broker):
    tasks.process_subscriptions_periodically()  # runs, claims the slot, schedules the next run
    delayed = broker.queues[f"{tasks.QUEUE}.DQ"]
    assert delayed.qsize() == 1
    tasks.process_subscriptions_periodically()  # a second chain in the same slot: stops
    assert delayed.qsize() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_subscribes_pay_once():
    """A double click: two requests subscribe the same new user at once."""
    plan = PlanFactory(code="click-pro", price=Decimal("30"), period_days=30)
    user = funded_user("100")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run():
        try:
            barrier.wait(timeout=10)
            services.subscription_subscribe(user=user, plan_code=plan.code)
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_subscribed", "ok"]
    assert [p.amount for p in payments_of(user)] == [Decimal("30")]
    assert SubscriptionPeriod.objects.filter(subscription__user=user).count() == 1
    assert_ledger_clean()
