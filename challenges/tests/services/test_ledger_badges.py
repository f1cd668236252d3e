"""The staking badges arrive after the ledger commits: by the worker the commit
enqueues, or by the reconcile when that message was lost (issue #16, item 8)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from challenges.ledger_badges import RECONCILE_LAG, ledger_badges_reconcile
from challenges.models import LedgerBadgeMark, UserBadge
from challenges.tasks import QUEUE
from notifications.models import Notification
from wallets.services import stake_create
from wallets.tests.factories import funded_user


def slugs(user):
    return sorted(UserBadge.objects.filter(user=user).values_list("badge__slug", flat=True))


@pytest.mark.django_db(transaction=True)
@override_settings(OGC_BADGE_STAKER_MIN=Decimal("5"))
def test_a_committed_stake_gets_its_badges_from_the_worker(broker, worker, default_badges):
    user = funded_user("100")
    row = stake_create(user=user, amount="10")  # commits: the request is enqueued on commit
    broker.join(QUEUE)
    worker.join()
    assert slugs(user) == ["first-stake", "staker"]
    assert {b.source for b in UserBadge.objects.filter(user=user)} == {row}
    assert Notification.objects.filter(recipient=user, kind="badge_earned").count() == 2
    # A redelivered or second request grants nothing more.
    stake_create(user=user, amount="1")
    broker.join(QUEUE)
    worker.join()
    assert UserBadge.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_the_reconcile_grants_what_a_lost_enqueue_did_not(django_capture_on_commit_callbacks):
    user, other = funded_user("10"), funded_user("10")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the process dies after COMMIT
        row = stake_create(user=user, amount="1")
        stake_create(user=other, amount="2")
    assert len(callbacks) == 2 and slugs(user) == []
    assert ledger_badges_reconcile(now=row.created_at) == (2, 2)
    assert slugs(user) == ["first-stake"] and slugs(other) == ["first-stake"]
    assert UserBadge.objects.get(user=user).source == row
    assert ledger_badges_reconcile(now=row.created_at) == (2, 0)  # idempotent


@pytest.mark.django_db
def test_the_watermark_moves_only_past_rows_older_than_the_lag(django_capture_on_commit_callbacks):
    user = funded_user("10")
    with django_capture_on_commit_callbacks(execute=False):
        first = stake_create(user=user, amount="1")
        second = stake_create(user=user, amount="1")
    mark = lambda: LedgerBadgeMark.objects.get(name="staking").last_transaction_id  # noqa: E731
    ledger_badges_reconcile(now=second.created_at)  # both young: a lower id may still commit
    before = mark()
    assert before < first.pk
    ledger_badges_reconcile(now=second.created_at + RECONCILE_LAG + timedelta(seconds=1))
    assert mark() == second.pk
    assert ledger_badges_reconcile() == (0, 0)  # nothing after the mark


@pytest.mark.django_db
def test_reconcile_command_reports_what_it_did(django_capture_on_commit_callbacks, capsys):
    user = funded_user("10")
    with django_capture_on_commit_callbacks(execute=False):
        stake_create(user=user, amount="1")
    call_command("reconcile_ledger_badges")
    assert "1 member(s) evaluated, 1 badge(s) granted." in capsys.readouterr().out
    assert slugs(user) == ["first-stake"]
