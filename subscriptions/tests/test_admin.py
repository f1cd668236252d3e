from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from accounts.tests.factories import StaffFactory
from subscriptions import services
from subscriptions.models import Plan, Subscription
from subscriptions.tests.factories import PlanFactory
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/subscriptions/subscription/"


@pytest.fixture
def operator_client(client):
    call_command("seed", no_admin=True, stdout=StringIO())
    operator = StaffFactory(roles=["operator"])
    client.force_login(operator)
    client.user = operator
    return client


@pytest.fixture
def subscription():
    plan = PlanFactory(code="admin-pro", price=Decimal("10"))
    user = funded_user("100")
    return services.subscription_subscribe(user=user, plan_code=plan.code).subscription


def test_operator_extends_a_period_with_a_reason_and_it_is_audited(operator_client, subscription):
    end = subscription.current_period_end
    for page in (
        CHANGELIST,
        f"{CHANGELIST}{subscription.pk}/change/",
        "/admin/subscriptions/plan/",
        "/admin/subscriptions/subscriptionperiod/",
    ):
        assert operator_client.get(page).status_code == 200, page
    form = operator_client.post(CHANGELIST, {"action": "extend_period", "_selected_action": [subscription.pk]})
    assert form.status_code == 200
    assert b"Extend" in form.content
    response = operator_client.post(
        CHANGELIST,
        {"action": "extend_period", "_selected_action": [subscription.pk], "days": "5", "reason": "Outage on 1 May"},
        follow=True,
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.current_period_end == end + timedelta(days=5)
    entry = LogEntry.objects.filter(additional_data__action="subscription_extend").get()
    assert entry.actor == operator_client.user
    assert entry.object_pk == str(subscription.pk)
    assert entry.additional_data["reason"] == "Outage on 1 May"
    assert entry.additional_data["days"] == 5


def test_extend_without_a_reason_shows_the_form_again(operator_client, subscription):
    end = subscription.current_period_end
    response = operator_client.post(
        CHANGELIST, {"action": "extend_period", "_selected_action": [subscription.pk], "days": "5", "reason": ""}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    subscription.refresh_from_db()
    assert subscription.current_period_end == end


def test_staff_without_the_permission_cannot_extend(client, subscription):
    call_command("seed", no_admin=True, stdout=StringIO())
    staff = StaffFactory(roles=["moderator"])
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403


def test_operator_cancels_now_through_the_service(operator_client, subscription):
    operator_client.post(CHANGELIST, {"action": "cancel_now", "_selected_action": [subscription.pk]}, follow=True)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELED
    assert LogEntry.objects.filter(additional_data__action="subscription_cancel").count() == 1


def test_subscriptions_are_read_only_in_the_form(operator_client, subscription):
    response = operator_client.post(f"{CHANGELIST}{subscription.pk}/change/", {"status": "active"})
    subscription.refresh_from_db()
    assert response.status_code in (200, 302)
    assert subscription.status == Subscription.Status.ACTIVE


def test_plan_form_validates_features(operator_client):
    data = {
        "code": "gold",
        "name": "Gold",
        "description": "",
        "price": "99",
        "period_days": "30",
        "trial_days": "0",
        "features": '"extra_submissions"',
        "is_active": "on",
        "sort_order": "5",
    }
    response = operator_client.post("/admin/subscriptions/plan/add/", data)
    assert response.status_code == 200
    assert not Plan.objects.filter(code="gold").exists()
    data["features"] = '["premium_badge", "extra_submissions"]'
    response = operator_client.post("/admin/subscriptions/plan/add/", data)
    assert response.status_code == 302
    assert Plan.objects.get(code="gold").features == ["extra_submissions", "premium_badge"]
