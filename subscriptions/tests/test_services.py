"""Every transition of the subscription state machine, driven through the services
with a controlled clock (``now=``)."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from notifications.models import Notification
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionPeriod, SubscriptionStatus
from subscriptions.selectors import user_has_feature
from subscriptions.tests.factories import FreePlanFactory, PlanFactory
from subscriptions.tests.helpers import assert_ledger_clean, kinds_notified, payments_of, periods_of
from wallets.models import Transaction
from wallets.services import deposit_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db
S = SubscriptionStatus
T0 = timezone.now().replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def basic():
    return PlanFactory(code="basic", price=Decimal("10"), period_days=30, features=[])


@pytest.fixture
def pro():
    return PlanFactory(code="pro-test", price=Decimal("30"), period_days=30, features=["extra_submissions"])


@pytest.fixture
def trial_plan():
    return PlanFactory(code="trial-test", price=Decimal("20"), period_days=30, trial_days=7)


def subscribe(user, plan, at=T0, **kwargs):
    return services.subscription_subscribe(user=user, plan_code=plan.code, now=at, **kwargs)


def process(at):
    return services.subscriptions_process_due(now=at)


# --- starting -------------------------------------------------------------------------------------


def test_paid_subscribe_debits_once_and_records_the_period(pro):
    user = funded_user("100")
    result = subscribe(user, pro)
    sub = result.subscription
    assert result.action == "started"
    assert (sub.status, sub.plan, sub.current_period_start, sub.current_period_end) == (
        S.ACTIVE,
        pro,
        T0,
        T0 + 30 * DAY,
    )
    [payment] = payments_of(user)
    assert payment.amount == Decimal("30")
    assert payment.idempotency_key == services.payment_key(sub, T0)
    assert payment.source_id == sub.pk
    [period] = periods_of(sub)
    assert (period.kind, period.amount, period.payment, period.period_start) == ("start", Decimal("30"), payment, T0)
    user.wallet.refresh_from_db()
    assert user.wallet.available == Decimal("70")
    assert kinds_notified(user) == {"deposit_credited": 1, "subscription_started": 1, "payment_debited": 1}
    assert user_has_feature(user=user, feature="extra_submissions", now=T0 + DAY)
    assert_ledger_clean()


def test_subscribe_with_insufficient_funds_leaves_nothing_written(pro):
    user = funded_user("29.999999999999999999")
    notes_before = Notification.objects.count()
    with pytest.raises(ApplicationError) as exc:
        subscribe(user, pro)
    assert exc.value.code == "insufficient_funds"
    assert not Subscription.objects.filter(user=user).exists()
    assert not SubscriptionPeriod.objects.exists()
    assert payments_of(user) == []
    assert Notification.objects.count() == notes_before
    user.wallet.refresh_from_db()
    assert user.wallet.available == Decimal("29.999999999999999999")
    assert_ledger_clean()


def test_resubscribe_with_insufficient_funds_leaves_the_ended_subscription_untouched(pro):
    user = funded_user("30")
    subscribe(user, pro)
    services.subscription_cancel(user=user, at_period_end=False, now=T0 + DAY)
    before = Subscription.objects.get(user=user)
    with pytest.raises(ApplicationError):
        subscribe(user, pro, at=T0 + 2 * DAY)
    after = Subscription.objects.get(user=user)
    assert (after.status, after.current_period_start, after.ended_at) == (
        S.CANCELED,
        before.current_period_start,
        before.ended_at,
    )
    assert len(payments_of(user)) == 1


def test_unknown_or_inactive_plan_is_refused(pro):
    user = funded_user("100")
    with pytest.raises(NotFoundError) as exc:
        services.subscription_subscribe(user=user, plan_code="nope", now=T0)
    assert exc.value.field == "plan"
    pro.is_active = False
    pro.save()
    with pytest.raises(NotFoundError):
        subscribe(user, pro)


def test_subscribing_twice_to_the_same_plan_is_a_conflict(pro):
    user = funded_user("100")
    subscribe(user, pro)
    with pytest.raises(ConflictError) as exc:
        subscribe(user, pro, at=T0 + DAY)
    assert exc.value.code == "already_subscribed"
    assert len(payments_of(user)) == 1


def test_free_plan_needs_no_funds_and_renews_without_payment():
    free = FreePlanFactory()
    user = funded_user("0")
    sub = subscribe(user, free).subscription
    assert sub.status == S.ACTIVE
    process(T0 + 30 * DAY)
    sub.refresh_from_db()
    assert (sub.status, sub.current_period_start) == (S.ACTIVE, T0 + 30 * DAY)
    assert [p.amount for p in periods_of(sub)] == [0, 0]
    assert payments_of(user) == []
    assert kinds_notified(user) == {"subscription_started": 1}  # no expiring notice for free renewals


# --- trials ------------------------------------------------------------------------------------


def test_trial_then_paid_renewal(trial_plan):
    user = funded_user("50")
    sub = subscribe(user, trial_plan).subscription
    assert (sub.status, sub.trial_end, sub.current_period_end) == (S.TRIALING, T0 + 7 * DAY, T0 + 7 * DAY)
    assert payments_of(user) == []
    assert sub.grants_access(T0 + 6 * DAY)

    process(T0 + 7 * DAY)
    sub.refresh_from_db()
    assert (sub.status, sub.current_period_start, sub.current_period_end) == (S.ACTIVE, T0 + 7 * DAY, T0 + 37 * DAY)
    [payment] = payments_of(user)
    assert payment.amount == Decimal("20")
    assert [p.kind for p in periods_of(sub)] == ["trial", "renewal"]
    assert kinds_notified(user)["subscription_renewed"] == 1
    assert_ledger_clean()


def test_one_trial_per_user(trial_plan):
    user = funded_user("50")
    subscribe(user, trial_plan)
    services.subscription_cancel(user=user, at_period_end=False, now=T0 + DAY)
    sub = subscribe(user, trial_plan, at=T0 + 2 * DAY).subscription
    assert sub.status == S.ACTIVE
    assert [p.amount for p in payments_of(user)] == [Decimal("20")]


def test_trial_without_funds_goes_past_due_then_expires_after_grace(trial_plan):
    user = funded_user("5")
    sub = subscribe(user, trial_plan).subscription
    end = sub.current_period_end

    process(end)
    sub.refresh_from_db()
    assert (sub.status, sub.past_due_since) == (S.PAST_DUE, end)
    assert not sub.grants_access(end)
    assert kinds_notified(user)["subscription_renewal_failed"] == 1

    process(end + DAY)  # retried within the grace: still short, no second notification
    sub.refresh_from_db()
    assert sub.status == S.PAST_DUE
    assert kinds_notified(user)["subscription_renewal_failed"] == 1

    process(end + services.grace_period())
    sub.refresh_from_db()
    assert (sub.status, sub.ended_at) == (S.EXPIRED, end + services.grace_period())
    process(end + services.grace_period() + DAY)
    assert kinds_notified(user)["subscription_expired"] == 1
    assert payments_of(user) == []
    assert not user_has_feature(user=user, feature="extra_submissions", now=end + DAY)
    assert_ledger_clean()


# --- renewal, past due, recovery -----------------------------------------------------------------------


def test_renewal_pays_each_period_once_even_when_the_job_runs_twice(pro):
    user = funded_user("100")
    sub = subscribe(user, pro).subscription
    report = process(T0 + 30 * DAY)
    assert report.outcomes == {"renewed": 1}
    assert process(T0 + 30 * DAY).outcomes == {}
    sub.refresh_from_db()
    assert (sub.status, sub.current_period_start) == (S.ACTIVE, T0 + 30 * DAY)
    assert [p.amount for p in payments_of(user)] == [Decimal("30"), Decimal("30")]
    assert kinds_notified(user)["subscription_renewed"] == 1
    assert kinds_notified(user)["payment_debited"] == 2
    assert_ledger_clean()


def test_a_late_job_catches_up_every_period(pro):
    user = funded_user("1000")
    sub = subscribe(user, pro).subscription
    process(T0 + 95 * DAY)  # three periods ended while the job did not run
    sub.refresh_from_db()
    assert (sub.current_period_start, sub.current_period_end) == (T0 + 90 * DAY, T0 + 120 * DAY)
    assert len(payments_of(user)) == 4
    assert [p.period_start for p in periods_of(sub)] == [T0 + n * 30 * DAY for n in range(4)]


def test_past_due_recovers_when_topped_up_within_grace(pro):
    user = funded_user("30")
    sub = subscribe(user, pro).subscription
    end = T0 + 30 * DAY
    process(end)
    sub.refresh_from_db()
    assert sub.status == S.PAST_DUE
    deposit_create(user=user, amount=Decimal("30"))
    process(end + DAY)
    sub.refresh_from_db()
    # The billing anchor is kept: the new period starts at the old period's end.
    assert (sub.status, sub.past_due_since, sub.current_period_start) == (S.ACTIVE, None, end)
    assert len(payments_of(user)) == 2
    assert_ledger_clean()


def test_past_due_user_resubscribing_to_same_plan_is_told_to_top_up(pro):
    user = funded_user("30")
    subscribe(user, pro)
    process(T0 + 30 * DAY)
    with pytest.raises(ApplicationError) as exc:
        subscribe(user, pro, at=T0 + 31 * DAY)
    assert exc.value.code == "insufficient_funds"
    assert Subscription.objects.get(user=user).status == S.PAST_DUE


def test_auto_renew_off_expires_at_period_end(pro):
    user = funded_user("100")
    sub = subscribe(user, pro, auto_renew=False).subscription
    process(T0 + 30 * DAY)
    sub.refresh_from_db()
    assert (sub.status, sub.ended_at) == (S.EXPIRED, T0 + 30 * DAY)
    assert len(payments_of(user)) == 1


# --- cancel and reactivate ------------------------------------------------------------------------------


def test_cancel_at_period_end_keeps_access_until_the_end(pro):
    user = funded_user("100")
    subscribe(user, pro)
    sub = services.subscription_cancel(user=user, at_period_end=True, now=T0 + 10 * DAY)
    assert (sub.status, sub.cancel_at_period_end, sub.canceled_at) == (S.ACTIVE, True, T0 + 10 * DAY)
    assert user_has_feature(user=user, feature="extra_submissions", now=T0 + 30 * DAY - timedelta(seconds=1))
    assert not sub.will_renew
    # A repeated click changes nothing and notifies once.
    services.subscription_cancel(user=user, at_period_end=True, now=T0 + 11 * DAY)
    assert kinds_notified(user)["subscription_canceled"] == 1

    process(T0 + 30 * DAY)
    sub.refresh_from_db()
    assert (sub.status, sub.ended_at) == (S.CANCELED, T0 + 30 * DAY)
    assert not user_has_feature(user=user, feature="extra_submissions", now=T0 + 30 * DAY)
    assert len(payments_of(user)) == 1
    assert kinds_notified(user)["subscription_expired"] == 1


def test_reactivate_before_the_end_resumes_renewal(pro):
    user = funded_user("100")
    subscribe(user, pro)
    services.subscription_cancel(user=user, now=T0 + DAY)
    sub = services.subscription_reactivate(user=user, now=T0 + 2 * DAY)
    assert (sub.cancel_at_period_end, sub.canceled_at) == (False, None)
    process(T0 + 30 * DAY)
    sub.refresh_from_db()
    assert sub.status == S.ACTIVE
    assert len(payments_of(user)) == 2


def test_reactivate_after_the_end_is_refused(pro):
    user = funded_user("100")
    subscribe(user, pro)
    services.subscription_cancel(user=user, now=T0 + DAY)
    with pytest.raises(ConflictError) as exc:
        services.subscription_reactivate(user=user, now=T0 + 31 * DAY)  # the end passed: it is canceled now
    assert exc.value.code == "not_reactivatable"
    # The refusal rolled back everything, the catch-up included; the job ends it.
    process(T0 + 31 * DAY)
    assert Subscription.objects.get(user=user).status == S.CANCELED
    with pytest.raises(ConflictError):
        services.subscription_reactivate(user=user, now=T0 + 32 * DAY)


def test_reactivate_without_cancel_is_a_conflict(pro):
    user = funded_user("100")
    subscribe(user, pro)
    with pytest.raises(ConflictError) as exc:
        services.subscription_reactivate(user=user, now=T0 + DAY)
    assert exc.value.code == "not_canceled"


def test_cancel_now_ends_access_at_once_without_refund(pro):
    user = funded_user("100")
    subscribe(user, pro)
    sub = services.subscription_cancel(user=user, at_period_end=False, now=T0 + DAY)
    assert (sub.status, sub.ended_at, sub.canceled_at) == (S.CANCELED, T0 + DAY, T0 + DAY)
    assert not user_has_feature(user=user, feature="extra_submissions", now=T0 + DAY)
    with pytest.raises(ConflictError):
        services.subscription_cancel(user=user, now=T0 + 2 * DAY)
    process(T0 + 30 * DAY)
    assert len(payments_of(user)) == 1
    user.wallet.refresh_from_db()
    assert user.wallet.available == Decimal("70")


def test_cancel_without_subscription_is_not_found():
    with pytest.raises(NotFoundError):
        services.subscription_cancel(user=funded_user("0"), now=T0)


def test_cancel_past_due_ends_it_now(pro):
    user = funded_user("30")
    subscribe(user, pro)
    process(T0 + 30 * DAY)
    sub = services.subscription_cancel(user=user, at_period_end=True, now=T0 + 31 * DAY)
    assert (sub.status, sub.ended_at) == (S.CANCELED, T0 + 31 * DAY)


# --- changing plans ---------------------------------------------------------------------------------


def test_upgrade_now_with_prorated_payment(basic, pro):
    user = funded_user("100")
    subscribe(user, basic)
    result = subscribe(user, pro, at=T0 + 15 * DAY)  # half of the basic period unused: credit 5
    sub = result.subscription
    assert result.action == "upgraded"
    assert (sub.plan, sub.status, sub.current_period_start, sub.current_period_end) == (
        pro,
        S.ACTIVE,
        T0 + 15 * DAY,
        T0 + 45 * DAY,
    )
    assert [p.amount for p in payments_of(user)] == [Decimal("10"), Decimal("25")]
    assert [(p.kind, p.amount) for p in periods_of(sub)] == [("start", 10), ("upgrade", 25)]
    assert user_has_feature(user=user, feature="extra_submissions", now=T0 + 16 * DAY)
    assert_ledger_clean()


def test_upgrade_credit_rounds_down_to_token_precision(basic, pro):
    user = funded_user("100")
    subscribe(user, basic)
    sub = Subscription.objects.get(user=user)
    credit = services.proration_credit(sub, now=T0 + timedelta(days=10))  # 2/3 of 10 left
    assert credit == Decimal("6.666666666666666666")


def test_upgrade_from_trial_pays_the_full_price(trial_plan, pro):
    user = funded_user("100")
    subscribe(user, trial_plan)
    sub = subscribe(user, pro, at=T0 + DAY).subscription
    assert (sub.status, sub.plan) == (S.ACTIVE, pro)
    assert [p.amount for p in payments_of(user)] == [Decimal("30")]


def test_upgrade_with_insufficient_funds_changes_nothing(basic, pro):
    user = funded_user("20")
    subscribe(user, basic)
    with pytest.raises(ApplicationError):
        subscribe(user, pro, at=T0 + DAY)
    sub = Subscription.objects.get(user=user)
    assert (sub.plan, sub.current_period_start) == (basic, T0)
    assert len(periods_of(sub)) == 1


def test_downgrade_is_scheduled_for_the_period_end(basic, pro):
    user = funded_user("100")
    subscribe(user, pro)
    result = subscribe(user, basic, at=T0 + 5 * DAY)
    assert result.action == "downgrade_scheduled"
    sub = result.subscription
    assert (sub.plan, sub.scheduled_plan) == (pro, basic)
    assert user_has_feature(user=user, feature="extra_submissions", now=T0 + 29 * DAY)
    process(T0 + 30 * DAY)
    sub.refresh_from_db()
    assert (sub.plan, sub.scheduled_plan) == (basic, None)
    assert [p.amount for p in payments_of(user)] == [Decimal("30"), Decimal("10")]
    assert not user_has_feature(user=user, feature="extra_submissions", now=T0 + 31 * DAY)


def test_choosing_the_current_plan_again_drops_a_scheduled_downgrade(basic, pro):
    user = funded_user("100")
    subscribe(user, pro)
    subscribe(user, basic, at=T0 + DAY)
    result = subscribe(user, pro, at=T0 + 2 * DAY)
    assert result.action == "downgrade_unscheduled"
    assert result.subscription.scheduled_plan is None


# --- notices, extension, constraints ------------------------------------------------------------------


@override_settings(OGC_SUBSCRIPTION_EXPIRING_NOTICE_DAYS=3)
def test_expiring_notice_once_per_period(pro):
    user = funded_user("100")
    subscribe(user, pro)
    assert process(T0 + 26 * DAY).outcomes == {}
    assert process(T0 + 27 * DAY).outcomes == {"notified": 1}
    assert process(T0 + 28 * DAY).outcomes == {}
    note = Notification.objects.get(recipient=user, kind="subscription_expiring")
    assert note.event_id == f"sub:{Subscription.objects.get(user=user).pk}:expiring:{T0.astimezone(UTC).isoformat()}"
    assert "renews" in note.body
    process(T0 + 57 * DAY)  # renewed at day 30, next notice three days before day 60
    assert kinds_notified(user)["subscription_expiring"] == 2


def test_expiring_notice_warns_about_a_short_wallet(pro):
    user = funded_user("40")
    subscribe(user, pro)
    process(T0 + 28 * DAY)
    note = Notification.objects.get(recipient=user, kind="subscription_expiring")
    assert "top up" in note.body


def test_operator_extension_moves_the_end_and_revives_past_due(pro):
    user = funded_user("30")
    sub = subscribe(user, pro).subscription
    sub = services.subscription_extend(subscription_id=sub.pk, days=5, reason="Outage", now=T0 + DAY)
    assert sub.current_period_end == T0 + 35 * DAY
    process(T0 + 35 * DAY)
    sub.refresh_from_db()
    assert sub.status == S.PAST_DUE
    sub = services.subscription_extend(subscription_id=sub.pk, days=2, reason="Support", now=T0 + 36 * DAY)
    assert (sub.status, sub.past_due_since, sub.current_period_end) == (S.ACTIVE, None, T0 + 38 * DAY)
    with pytest.raises(ApplicationError) as exc:
        services.subscription_extend(subscription_id=sub.pk, days=2, reason=" ", now=T0 + 36 * DAY)
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        services.subscription_extend(subscription_id=sub.pk, days=0, reason="x", now=T0 + 36 * DAY)
    assert exc.value.field == "days"


def test_database_refuses_a_second_payment_record_for_a_period(pro):
    user = funded_user("100")
    sub = subscribe(user, pro).subscription
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionPeriod.objects.create(
            subscription=sub, plan=pro, kind="renewal", period_start=T0, period_end=T0 + DAY
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionPeriod.objects.create(
            subscription=sub, plan=pro, kind="renewal", period_start=T0 + DAY, period_end=T0 + 2 * DAY, amount=5
        )  # paid but no payment row
    assert Transaction.objects.filter(user=user).count() == 2


def test_seed_plans_is_idempotent():
    assert services.seed_plans() == 2
    assert services.seed_plans() == 0
    from subscriptions.models import Plan

    assert "extra_submissions" in Plan.objects.get(code="pro").features
    assert Plan.objects.get(code="free").price == 0


def test_proration_credit_keeps_every_digit_of_a_large_price():
    """36-digit amounts: the default 28-digit context would raise in quantize()."""
    from datetime import timedelta
    from decimal import Decimal
    from types import SimpleNamespace

    from django.utils import timezone

    from subscriptions.services import proration_credit

    now = timezone.now()
    plan = SimpleNamespace(price=Decimal("123456789012345678.123456789012345678"), period_days=30)
    subscription = SimpleNamespace(status="active", plan=plan, current_period_end=now + timedelta(days=15))
    credit = proration_credit(subscription, now=now)
    assert credit == Decimal("61728394506172839.061728394506172839")
