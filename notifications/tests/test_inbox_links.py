"""Every notification leads somewhere: the inbox links each row to the page of what it
is about (derived from its kind and ``data``), and that page answers 200 to its owner."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from notifications.kinds import NotificationKind as K
from notifications.models import Notification
from notifications.selectors import notification_url
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)" data-testid="notification-link">')


def _challenge(user) -> dict:
    from challenges.tests.factories import ChallengeFactory

    return {"challenge": ChallengeFactory().slug, "transaction_id": 7, "amount": "5"}


def _proposal(user) -> dict:
    from governance.tests.factories import open_proposal

    return {"proposal_id": open_proposal().pk, "outcome": "winner", "winning_choice": "for"}


def _ledger(user) -> dict:
    return {"transaction_id": 7, "kind": "deposit", "status": "completed", "amount": "5", "available": "5"}


def _address(user) -> dict:
    return {"address_id": 4, "chain": "ethereum", "address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}


def _ai_request(user) -> dict:
    from ai.models import AIFeature
    from ai.services import request_create
    from challenges.tests.factories import ChallengeFactory
    from wallets.services import deposit_create

    deposit_create(user=user, amount=Decimal("5"), memo="test funding")
    Notification.objects.filter(recipient=user).delete()  # the deposit's: one row in the inbox
    asked = request_create(
        user=user, feature=AIFeature.FEEDBACK, idempotency_key="n", challenge=ChallengeFactory().slug, draft="A draft."
    )
    return {"ai_request_id": asked.pk, "status": "done"}


def _subscription(user) -> dict:
    return {"subscription_id": 3, "plan": "pro", "status": "active", "current_period_end": None}


# The ``data`` each kind carries, as its service writes it (see the notify() calls), and
# where it leads. A subscription's charge (payment_debited) names only its ledger row; an
# entry fee names its challenge too (test below).
WITHDRAWALS = [kind for kind in K.values if kind.startswith("withdrawal_")]
LEDGER = [K.DEPOSIT_CREDITED, K.STAKE_CHANGED, K.ADJUSTMENT, K.PAYMENT_DEBITED, K.TRANSFER_RECEIVED, *WITHDRAWALS]
DATA = {
    K.WELCOME: (lambda user: {}, "/dashboard/"),
    **{kind: (_ledger, "/wallet/") for kind in LEDGER},
    **{kind: (_address, "/wallet/") for kind in (K.ADDRESS_ADDED, K.ADDRESS_REMOVED)},
    **{kind: (_subscription, "/subscription/") for kind in K.values if kind.startswith("subscription_")},
    K.REWARD_PAID: (_challenge, "/challenges/"),
    K.SUBMISSION_REVIEWED: (_challenge, "/challenges/"),
    K.BADGE_EARNED: (lambda user: {"badge": "first-stake", "reason": "r"}, "/badges/"),
    K.BADGE_REVOKED: (lambda user: {"badge": "first-stake"}, "/badges/"),
    K.PROPOSAL_CLOSED: (_proposal, "/governance/"),
    K.AI_REQUEST_FINISHED: (_ai_request, "/assistant/requests/"),
}
NO_PAGE = {K.SECURITY, K.ANNOUNCEMENT}


def test_every_kind_is_classified():
    assert set(DATA) | NO_PAGE == set(K.values)


@pytest.mark.parametrize("kind", sorted(DATA), ids=str)
def test_each_kind_links_to_a_page_that_answers_its_owner(kind, user):
    make_data, prefix = DATA[kind]
    NotificationFactory(recipient=user, kind=kind, title="About this", data=make_data(user))
    client = Client()
    client.force_login(user)
    links = LINK.findall(client.get("/notifications/").content.decode())
    assert len(links) == 1 and links[0].startswith(prefix), links
    assert client.get(links[0]).status_code == 200


@pytest.mark.parametrize("kind", sorted(NO_PAGE), ids=str)
def test_kinds_about_no_page_have_no_link(kind, user):
    NotificationFactory(recipient=user, kind=kind, title="Maintenance tonight")
    client = Client()
    client.force_login(user)
    html = client.get("/notifications/").content.decode()
    assert "Maintenance tonight" in html and not LINK.search(html)


def test_the_most_specific_object_wins_and_bad_data_falls_back_to_the_kind():
    entry_fee = Notification(kind=K.PAYMENT_DEBITED, data={"challenge": "spring-jam", "transaction_id": 4})
    assert notification_url(notification=entry_fee) == "/challenges/spring-jam/"
    assert notification_url(notification=Notification(kind=K.PROPOSAL_CLOSED, data={"proposal_id": "x"})) is None
    assert notification_url(notification=Notification(kind=K.REWARD_PAID, data={"challenge": "no slug!"})) == (
        "/wallet/"
    )
    assert notification_url(notification=Notification(kind=K.STAKE_CHANGED, data=[])) == "/wallet/"


def test_a_real_deposit_notification_leads_to_the_wallet(user):
    from wallets.services import deposit_create

    deposit_create(user=user, amount=Decimal("12"), memo="test")
    client = Client()
    client.force_login(user)
    links = LINK.findall(client.get("/notifications/").content.decode())
    assert links == ["/wallet/"]
    assert client.get(links[0]).status_code == 200
