"""Plans and subscriptions moved from the ``accounts`` app to ``subscriptions`` with
state-only migrations: a database migrated in the old layout, with data, keeps every
row, and its content types (so permissions, group grants and audit entries) follow."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD_LAYOUT = [
    ("accounts", "0002_plan_subscription_subscriptionperiod_and_more"),
    ("subscriptions", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_migrating_an_old_layout_database_keeps_every_row_and_moves_content_types():
    leaves = _leaf_nodes()
    executor = _migrate(OLD_LAYOUT)
    ContentType.objects.clear_cache()
    old_apps = executor.loader.project_state(OLD_LAYOUT[0]).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldPlan = old_apps.get_model("accounts", "Plan")
    OldSubscription = old_apps.get_model("accounts", "Subscription")
    OldPeriod = old_apps.get_model("accounts", "SubscriptionPeriod")
    from django.contrib.auth.models import Group, Permission

    now = timezone.now().replace(microsecond=0)
    user = OldUser.objects.create(email="old-layout@example.com", password="!")
    plan = OldPlan.objects.create(
        code="pro-old", name="Pro", price=Decimal("12.5"), period_days=30, features=["extra_submissions"]
    )
    subscription = OldSubscription.objects.create(
        user=user,
        plan=plan,
        status="trialing",
        current_period_start=now,
        current_period_end=now + timedelta(days=14),
        trial_end=now + timedelta(days=14),
        trial_used=True,
    )
    period = OldPeriod.objects.create(
        subscription=subscription,
        plan=plan,
        kind="trial",
        period_start=now,
        period_end=now + timedelta(days=14),
        amount=Decimal("0"),
    )
    plan_type = ContentType.objects.get(app_label="accounts", model="plan")
    permission = Permission.objects.get(content_type=plan_type, codename="change_plan")
    group = Group.objects.create(name="old-layout-plan-editors")
    group.permissions.add(permission)

    _migrate(leaves)
    ContentType.objects.clear_cache()

    from auditlog.models import LogEntry

    from subscriptions.models import Plan, Subscription, SubscriptionPeriod

    assert list(Plan.objects.values_list("pk", "code", "price", "features")) == [
        (plan.pk, "pro-old", Decimal("12.5"), ["extra_submissions"])
    ]
    moved = Subscription.objects.get()
    assert (moved.pk, moved.user_id, moved.plan_id, moved.status) == (subscription.pk, user.pk, plan.pk, "trialing")
    assert (moved.current_period_end, moved.trial_used) == (now + timedelta(days=14), True)
    assert list(SubscriptionPeriod.objects.values_list("pk", "subscription_id", "kind")) == [
        (period.pk, subscription.pk, "trial")
    ]
    # The same content type row, relabelled: the group's grant now reads subscriptions.change_plan.
    new_plan_type = ContentType.objects.get_for_model(Plan)
    assert new_plan_type.pk == plan_type.pk
    assert not ContentType.objects.filter(app_label="accounts", model__in=["plan", "subscription"]).exists()
    assert list(Group.objects.get(pk=group.pk).permissions.values_list("content_type__app_label", "codename")) == [
        ("subscriptions", "change_plan")
    ]
    # Audit entries written against the moved models resolve to them.
    entry = LogEntry.objects.log_create(Plan.objects.get(), force_log=True, action=LogEntry.Action.UPDATE, changes={})
    assert entry.content_type_id == plan_type.pk
