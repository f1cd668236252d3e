"""Who may call each endpoint: the one classification the hardening tests read.

Every route under ``/api/v1/`` and every page route outside Django's admin and
allauth (``tests/test_authorization_matrix.py`` walks ``get_resolver()``) must be
listed in ``POLICIES`` under its namespaced URL name (``api:wallet-stake``,
``wallet_stake``). A new endpoint without an entry fails
``test_every_endpoint_is_classified``, naming it.

Policies:

- ``PUBLIC``: anyone, signed in or not (listing challenges, the schema, login).
- ``SELF``: signed-in users, acting on ``request.user`` only; no object ids in the URL.
  Anonymous callers are refused (401/403 on the API, a redirect to login on pages).
- ``shared(make)``: signed-in users acting on an object every member may act on (voting
  on a proposal). ``make(owner)`` returns the URL kwargs of such an object.
- ``owner(make)``: an object endpoint. ``make(owner)`` creates an object belonging to
  ``owner`` and returns the URL kwargs that name it; any other user gets 404 (or 403),
  the owner does not.
- ``staff(role, make)``: only holders of ``role`` (``accounts/roles.py`` groups); a
  member gets 403 (pages: 403 or a redirect to login), the role holder does not.

A value may also be ``{METHOD: policy}`` when methods of one route differ.
``payload(owner)`` (optional) is the JSON body sent with unsafe methods, for views
that validate their input before looking the object up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR

Kwargs = dict[str, Any]
MakeKwargs = Callable[[Any], Kwargs]


@dataclass(frozen=True)
class Policy:
    kind: str  # public | self | shared | owner | staff
    role: str = ""
    make: MakeKwargs | None = None
    payload: Callable[[Any], dict[str, Any]] | None = None
    notes: str = field(default="", compare=False)

    def kwargs_for(self, owner) -> Kwargs:
        return self.make(owner) if self.make else {}


PUBLIC = Policy("public")
SELF = Policy("self")


def public(make: MakeKwargs) -> Policy:
    """A public endpoint whose URL names an object (built by ``make``)."""
    return Policy("public", make=make)


def owner(make: MakeKwargs, payload: Callable[[Any], dict[str, Any]] | None = None) -> Policy:
    return Policy("owner", make=make, payload=payload)


def shared(make: MakeKwargs) -> Policy:
    return Policy("shared", make=make)


def staff(role: str, make: MakeKwargs | None = None) -> Policy:
    return Policy("staff", role=role, make=make)


# --- object builders: each creates an object of ``owner`` through the real services --------


def _funded(owner, amount: str = "100") -> None:
    from wallets.services import deposit_create

    deposit_create(user=owner, amount=Decimal(amount), memo="authz fixture")


def transaction_of(owner) -> Kwargs:
    from wallets.services import deposit_create

    return {"transaction_id": deposit_create(user=owner, amount=Decimal("5"), memo="authz fixture").pk}


def address_confirm_link(owner) -> Kwargs:
    """The token of the emailed confirmation link of a new address of ``owner``."""
    from wallets.services import address_confirm_token
    from wallets.tests.factories import WalletAddressFactory

    return {"token": address_confirm_token(WalletAddressFactory(wallet=owner.wallet, new=True))}


def address_of(owner) -> Kwargs:
    from wallets.tests.factories import WalletAddressFactory

    return {"address_id": WalletAddressFactory(wallet=owner.wallet).pk}


def api_token_of(owner) -> Kwargs:
    from accounts.services import api_token_create

    token, _secret = api_token_create(user=owner, name="authz fixture", scope="read")
    return {"token_id": token.public_id}


def session_of(owner) -> Kwargs:
    """A signed-in browser session of ``owner`` (allauth.usersessions' row)."""
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.create()
    row = UserSession.objects.create(user=owner, ip="192.0.2.1", session_key=store.session_key, user_agent="authz")
    return {"session_id": row.pk}


def withdrawal_of(owner) -> Kwargs:
    from wallets.services import withdrawal_request

    _funded(owner)
    address = address_of(owner)["address_id"]
    row = withdrawal_request(user=owner, amount=Decimal("10"), address_id=address)
    return {"withdrawal_id": row.pk}


def notification_of(owner) -> Kwargs:
    from notifications.tests.factories import NotificationFactory

    return {"pk": NotificationFactory(recipient=owner).pk}


def draft_proposal_of(owner) -> Kwargs:
    from datetime import timedelta

    from django.utils import timezone

    from governance.services import proposal_create
    from wallets.services import stake_create

    _funded(owner, "200")
    stake_create(user=owner, amount=Decimal("150"))
    proposal = proposal_create(
        author=owner,
        title="Authz fixture",
        body="A draft only its author may see.",
        voting_ends_at=timezone.now() + timedelta(days=2),
    )
    return {"pk": proposal.pk}


def open_proposal_of(owner) -> Kwargs:
    from governance.tests.factories import open_proposal, staked_member

    return {"pk": open_proposal(author=staked_member("150")).pk}


def challenge_of(owner) -> Kwargs:
    from challenges.tests.factories import ChallengeFactory

    return {"slug": ChallengeFactory().slug}


def submission_of(owner) -> Kwargs:
    from challenges.tests.factories import SubmissionFactory

    submission = SubmissionFactory(user=owner)
    return {"slug": submission.challenge.slug, "pk": submission.pk}


def badge_of(owner) -> Kwargs:
    from challenges.tests.factories import BadgeFactory

    return {"slug": BadgeFactory().slug}


def _ai_request(owner):
    from ai.models import AIFeature
    from ai.services import request_create
    from challenges.tests.factories import ChallengeFactory
    from wallets.services import deposit_create

    deposit_create(user=owner, amount=Decimal("5"), memo="authz")
    challenge = ChallengeFactory()
    return request_create(
        user=owner,
        feature=AIFeature.FEEDBACK,
        idempotency_key=f"authz-{uuid.uuid4()}",
        challenge=challenge.slug,
        draft="A draft.",
    )


def ai_request_of(owner) -> Kwargs:
    return {"request_id": _ai_request(owner).pk}


def ai_request_page_of(owner) -> Kwargs:
    return {"pk": _ai_request(owner).pk}


def user_of(owner) -> Kwargs:
    return {"pk": owner.pk}


def idempotency_headers() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": f"authz-{uuid.uuid4()}"}


# --- the classification ---------------------------------------------------------------------

POLICIES: dict[str, Policy | dict[str, Policy]] = {
    # operations probes (docs/operations.md); /metrics is left out of the walk (tests/routes.py)
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # accounts
    "api:schema": PUBLIC,
    "api-docs": PUBLIC,
    "api:signup": PUBLIC,
    "api:token": {"POST": PUBLIC, "DELETE": SELF},
    "api:me": SELF,
    "api:tokens": SELF,
    "api:token-detail": owner(api_token_of),
    "home": PUBLIC,
    "set_language": PUBLIC,
    "dashboard": SELF,
    "profile_edit": SELF,
    "api_tokens": SELF,
    "api_token_revoke": owner(api_token_of),
    "sessions": SELF,
    "session_end": owner(session_of),
    "sessions_end_all": SELF,
    # wallets (API)
    "api:wallet": SELF,
    "api:wallet-transactions": SELF,
    "api:wallet-transaction-detail": owner(transaction_of),
    "api:wallet-stake": SELF,
    "api:wallet-unstake": SELF,
    "api:wallet-withdrawals": SELF,
    "api:wallet-withdrawal-detail": owner(withdrawal_of),
    "api:wallet-withdrawal-cancel": owner(withdrawal_of),
    "api:wallet-transfers": SELF,
    "api:wallet-addresses": SELF,
    "api:wallet-address-detail": owner(address_of),
    # The token is in the body: it names the caller's own address or is refused (422).
    "api:wallet-address-confirm": SELF,
    "api:ops-deposits": staff(ROLE_OPERATOR),
    "api:ops-adjustments": staff(ROLE_OPERATOR),
    "api:ops-withdrawals": staff(ROLE_OPERATOR),
    "api:ops-supply": staff(ROLE_AUDITOR),  # auditors and operators
    "api:ops-withdrawal-approve": staff(ROLE_OPERATOR, withdrawal_of),
    "api:ops-withdrawal-reject": staff(ROLE_OPERATOR, withdrawal_of),
    # wallets (pages)
    "wallet": SELF,
    "wallet_transactions_csv": SELF,
    "wallet_stake_review": SELF,
    "wallet_unstake_review": SELF,
    "wallet_withdraw_review": SELF,
    "wallet_stake": SELF,
    "wallet_unstake": SELF,
    "wallet_withdraw": SELF,
    "wallet_send_review": SELF,
    "wallet_send": SELF,
    "wallet_withdrawal_cancel": owner(withdrawal_of),
    "wallet_address_add": SELF,
    "wallet_address_delete": owner(address_of),
    "wallet_address_confirm": owner(address_confirm_link),
    # notifications
    "api:notification-list": SELF,
    "api:notification-unread-count": SELF,
    "api:notification-read-all": SELF,
    "api:notification-preferences": SELF,
    "api:notification-read": owner(notification_of),
    "notifications_inbox": SELF,
    "notifications_read_all": SELF,
    "notifications_preferences": SELF,
    "notifications_read": owner(notification_of),
    "notifications_unread_badge": SELF,  # the menu's count, polled by htmx
    # governance: published proposals are public; drafts belong to their author
    "api:proposal-list": {"GET": PUBLIC, "POST": SELF},
    "api:proposal-detail": owner(draft_proposal_of),
    "api:proposal-publish": owner(draft_proposal_of),
    "api:proposal-cancel": owner(draft_proposal_of),
    "api:proposal-vote": shared(open_proposal_of),
    "api:proposal-results": public(open_proposal_of),
    "api:audit-log-list": staff(ROLE_AUDITOR),
    "governance_list": PUBLIC,
    "governance_create": SELF,
    "governance_detail": {"GET": owner(draft_proposal_of), "POST": shared(open_proposal_of)},
    "governance_results": public(open_proposal_of),
    "governance_tally": public(open_proposal_of),  # the live tally, polled by htmx
    # AI segment
    "api:search": PUBLIC,
    "api:ai-preferences": SELF,
    "api:ai-similarity-flags": staff(ROLE_MODERATOR),
    "api:ai-estimate": SELF,
    "api:ai-requests": SELF,
    "api:ai-request-detail": owner(ai_request_of),
    "ai_history": SELF,
    "ai_request_detail": owner(ai_request_page_of),
    "ai_summary": shared(open_proposal_of),
    "ai_feedback": shared(challenge_of),
    "search": PUBLIC,
    "ai_preferences": SELF,
    # subscriptions
    "api:plans": PUBLIC,
    "api:subscription": SELF,
    "api:subscription-cancel": SELF,
    "api:subscription-reactivate": SELF,
    "subscription_page": SELF,
    "subscription_subscribe": SELF,
    "subscription_cancel": SELF,
    "subscription_reactivate": SELF,
    # challenges and badges
    "api:challenge-list": {"GET": PUBLIC, "POST": staff(ROLE_OPERATOR)},
    "api:challenge-detail": public(challenge_of),
    "api:challenge-close": staff(ROLE_OPERATOR, challenge_of),
    "api:challenge-judge": staff(ROLE_OPERATOR, challenge_of),
    "api:challenge-leaderboard": public(challenge_of),
    "api:challenge-rewards": staff(ROLE_OPERATOR, challenge_of),
    # Submitting to a challenge is for every member; the list shows only my own entries.
    "api:submission-list": {"GET": shared(challenge_of), "POST": shared(challenge_of)},
    "api:submission-detail": owner(submission_of),
    "api:submission-withdraw": owner(submission_of),
    "api:submission-review": staff(ROLE_MODERATOR, submission_of),
    "api:badge-list": PUBLIC,
    "api:badge-award": staff(ROLE_MODERATOR, badge_of),
    "api:badge-revoke": staff(ROLE_MODERATOR, badge_of),
    "api:my-badges": SELF,
    "api:user-badges": public(user_of),
    "challenge_list": PUBLIC,
    "challenge_detail": {"GET": public(challenge_of), "POST": shared(challenge_of)},
    "challenge_leaderboard": public(challenge_of),
    "challenge_submission_withdraw": owner(submission_of),
    "my_badges": SELF,
    "public_profile": public(user_of),
}

# Protected fields no client may set through a write endpoint (tests/test_mass_assignment.py).
PROTECTED_FIELDS: tuple[str, ...] = (
    "balance",
    "available",
    "staked",
    "held",
    "status",
    "user",
    "user_id",
    "wallet",
    "wallet_id",
    "is_staff",
    "is_superuser",
    "is_active",
    "groups",
    "score",
    "amount_paid",
    "reviewer",
    "reviewer_id",
    "author",
    "author_id",
    "created_by",
    "awarded_by",
    "rank",
    "weight",
)

# Write operations whose documented input legitimately contains a protected name: an
# operator names the wallet's owner or creates a challenge as draft or scheduled, a
# moderator sets a submission's status and score. Paths as the schema spells them.
PROTECTED_FIELD_INPUTS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/ops/deposits/"): frozenset({"user_id"}),
    ("POST", "/api/v1/ops/adjustments/"): frozenset({"user_id"}),
    ("POST", "/api/v1/challenges/"): frozenset({"status"}),
    ("POST", "/api/v1/challenges/{slug}/submissions/{id}/review/"): frozenset({"status", "score"}),
    ("POST", "/api/v1/badges/{slug}/award/"): frozenset({"user_id"}),
    ("POST", "/api/v1/badges/{slug}/revoke/"): frozenset({"user_id"}),
}
