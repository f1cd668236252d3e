"""Audit matrix: every audited model x every channel (admin, API token, management
command) leaves a LogEntry with the right actor, the correlation id and (HTTP) the
remote address.

``MATRIX`` is a table: ``"app.Model": {"admin": scenario, "api": scenario, "command": scenario}``.
A scenario performs a real create/change/delete through that channel and returns what
to expect. ``NA("why")`` marks a channel that by design cannot write the model (say why).
``test_matrix_covers_every_audited_model`` fails while a model listed in the issue (or
registered with auditlog) has no row or a missing channel: complete the table when
you add a model, an admin page, an API or a command that writes it.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.tests.factories import SuperuserFactory, UserFactory, step_up
from challenges.models import Badge, Challenge, ChallengeEntry, Reward, Submission, UserBadge
from challenges.tests.factories import BadgeFactory, ChallengeFactory, SubmissionFactory, moderator, operator
from conftest import make_token_client
from governance.models import Proposal, Vote
from governance.tests.factories import open_proposal, staked_member
from subscriptions.models import Plan, Subscription, SubscriptionPeriod
from subscriptions.tests.factories import FreePlanFactory, PlanFactory
from wallets.models import Transaction, Wallet, WalletAddress
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

#: The models the issue names, by label. Proposals and votes are governance's.
ISSUE_MODELS = (
    "accounts.User",
    "wallets.Wallet",
    "wallets.WalletAddress",
    "wallets.Transaction",
    "subscriptions.Plan",
    "subscriptions.Subscription",
    "challenges.Challenge",
    "challenges.Submission",
    "challenges.Reward",
    "challenges.Badge",
    "challenges.UserBadge",
    "governance.Proposal",
    "governance.Vote",
)
CHANNELS = ("admin", "api", "command")
REMOTE = "192.0.2.44"


@dataclass
class NA:
    """This channel cannot write the model, by design."""

    reason: str


@dataclass
class Expect:
    obj: Any  # the audited instance (or its model class + pk for deletions)
    action: int
    actor: Any  # a user, or None for commands run without a user
    pk: Any = None


class Ctx:
    """HTTP clients that send a known X-Request-ID and remote address."""

    def __init__(self) -> None:
        self.request_id = f"req-{uuid.uuid4().hex[:16]}"
        self.superuser = SuperuserFactory()

    def admin(self) -> Client:
        client = Client(HTTP_X_REQUEST_ID=self.request_id, REMOTE_ADDR=REMOTE)
        client.force_login(self.superuser)
        return client

    def api(self, user):
        client = make_token_client(user)
        client.defaults.update(HTTP_X_REQUEST_ID=self.request_id, REMOTE_ADDR=REMOTE)
        return client


def _ok(response, *codes: int):
    assert response.status_code in (codes or (200, 201, 302)), getattr(response, "content", b"")[:800]
    return response


# --- scenarios -------------------------------------------------------------------------------


def user_admin(ctx: Ctx) -> Expect:
    _ok(
        ctx.admin().post(
            "/admin/accounts/user/add/",
            {"email": "audited@example.test", "password1": "Long-pass-phrase-77", "password2": "Long-pass-phrase-77"},
        ),
        302,
    )
    return Expect(apps.get_model("accounts", "User").objects.get(email="audited@example.test"), 0, ctx.superuser)


def user_api(ctx: Ctx) -> Expect:
    user = staked_member("0")
    _ok(ctx.api(user).patch("/api/v1/me/", {"display_name": "Renamed"}, format="json"), 200)
    return Expect(user, 1, user)


def user_command(ctx: Ctx) -> Expect:
    call_command("seed", "--no-admin", "--demo", stdout=io.StringIO())
    return Expect(apps.get_model("accounts", "User").objects.get(email="alice@demo.ogc.local"), 0, None)


def wallet_admin(ctx: Ctx) -> Expect:
    user_admin(ctx)
    return Expect(Wallet.objects.get(user__email="audited@example.test"), 0, ctx.superuser)


def wallet_api(ctx: Ctx) -> Expect:
    user = funded_user("10")
    _ok(ctx.api(user).post("/api/v1/wallet/stake/", {"amount": "4"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"))
    return Expect(user.wallet, 1, user)


def wallet_command(ctx: Ctx) -> Expect:
    user_command(ctx)
    return Expect(Wallet.objects.get(user__email="alice@demo.ogc.local"), 0, None)


def transaction_admin(ctx: Ctx) -> Expect:
    from wallets.services import withdrawal_request

    user = funded_user("10")
    address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[0])
    row = withdrawal_request(user=user, amount=Decimal("3"), address_id=address.pk)
    _ok(
        ctx.admin().post(
            "/admin/wallets/transaction/", {"action": "approve_withdrawals", "_selected_action": [row.pk]}
        ),
        302,
    )
    assert Transaction.objects.with_state().get(pk=row.pk).state == "completed"
    return Expect(row, 1, ctx.superuser)  # the named withdrawal_approve entry on the row


def withdrawal_approval_admin(ctx: Ctx) -> Expect:
    from wallets.models import WithdrawalApproval

    row = transaction_admin(ctx).obj
    return Expect(WithdrawalApproval.objects.get(withdrawal=row), 0, ctx.superuser)


def withdrawal_approval_api(ctx: Ctx) -> Expect:
    from wallets.models import WithdrawalApproval
    from wallets.services import withdrawal_request

    user = funded_user("10")
    address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[2])
    row = withdrawal_request(user=user, amount=Decimal("3"), address_id=address.pk)
    operator = UserFactory(roles=["operator"])
    _ok(ctx.api(operator).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json"), 200)
    return Expect(WithdrawalApproval.objects.get(withdrawal=row), 0, operator)


def transaction_api(ctx: Ctx) -> Expect:
    user = funded_user("10")
    body = _ok(
        ctx.api(user).post("/api/v1/wallet/stake/", {"amount": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    ).json()
    row_id = body.get("id") or body.get("transaction", {}).get("id")
    row = Transaction.objects.get(pk=row_id) if row_id else Transaction.objects.filter(user=user, kind="stake").get()
    return Expect(row, 0, user)


@override_settings(OGC_UNSTAKE_COOLDOWN_HOURS=1)
def _pending_unstake():
    from wallets.services import stake_create, unstake_create

    user = funded_user("10")
    stake_create(user=user, amount=Decimal("5"))
    return unstake_create(user=user, amount=Decimal("5"))


def transaction_command(ctx: Ctx) -> Expect:
    row = _pending_unstake()
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):  # the cool-down is over
        call_command("release_unstakes", stdout=io.StringIO())
    assert Transaction.objects.with_state().get(pk=row.pk).state == "completed"
    # The row is never updated (a settling entry completes it): what changes, and is
    # audited by the command, is the wallet's balances.
    return Expect(row.wallet, 1, None)


def address_api(ctx: Ctx) -> Expect:
    user = funded_user("0")
    _ok(
        ctx.api(user).post(
            "/api/v1/wallet/addresses/",
            {"chain": "ethereum", "address": VALID_ADDRESSES[1], "label": "cold", **step_up(user)},
            format="json",
        ),
        201,
    )
    return Expect(WalletAddress.objects.get(wallet=user.wallet), 0, user)


def proposal_admin(ctx: Ctx) -> Expect:
    proposal = open_proposal()
    _ok(
        ctx.admin().post(
            "/admin/governance/proposal/", {"action": "cancel_proposals", "_selected_action": [proposal.pk]}
        ),
        302,
    )
    proposal.refresh_from_db()
    assert proposal.status == "canceled"
    return Expect(proposal, 1, ctx.superuser)


def proposal_api(ctx: Ctx) -> Expect:
    author = staked_member("100")
    ends = (timezone.now() + timedelta(days=1)).isoformat()
    body = _ok(
        ctx.api(author).post("/api/v1/proposals/", {"title": "T", "body": "B", "voting_ends_at": ends}, format="json"),
        201,
    ).json()
    return Expect(Proposal.objects.get(pk=body["id"]), 0, author)


def proposal_command(ctx: Ctx) -> Expect:
    proposal = open_proposal()
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(
        voting_starts_at=now - timedelta(hours=2), snapshot_at=now - timedelta(hours=2), voting_ends_at=now
    )
    call_command("close_proposals", stdout=io.StringIO())
    proposal.refresh_from_db()
    assert proposal.status == "closed"
    return Expect(proposal, 1, None)


def vote_api(ctx: Ctx) -> Expect:
    voter = staked_member("3")
    proposal = open_proposal()
    _ok(ctx.api(voter).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"}, format="json"), 200)
    return Expect(Vote.objects.get(proposal=proposal, voter=voter), 0, voter)


def preference_api(ctx: Ctx) -> Expect:
    from notifications.models import NotificationPreference

    user = staked_member("0")
    payload = {"preferences": [{"kind": "announcement", "channel": "email", "enabled": False}]}
    _ok(ctx.api(user).put("/api/v1/notifications/preferences/", payload, format="json"), 200)
    return Expect(NotificationPreference.objects.get(user=user, kind="announcement", channel="email"), 0, user)


def ai_preference_api(ctx: Ctx) -> Expect:
    from ai.models import MemberAIPreference

    user = staked_member("0")
    _ok(ctx.api(user).put("/api/v1/me/ai-preferences/", {"analyse_submissions": False}, format="json"), 200)
    return Expect(MemberAIPreference.objects.get(user=user), 0, user)


def ai_flag_command(ctx: Ctx) -> Expect:
    from ai.models import SimilarityFlag
    from challenges.tests.factories import ChallengeFactory, SubmissionFactory

    text = "A rainwater tank and a solar pump for the village school, kept by students and a local plumber."
    challenge = ChallengeFactory()
    SubmissionFactory(challenge=challenge, content=text, submitted_at=timezone.now() - timedelta(hours=1))
    SubmissionFactory(challenge=challenge, content=text + " Also filters.")
    call_command("ai_reconcile", stdout=io.StringIO())
    return Expect(SimilarityFlag.objects.get(), 0, None)


def ai_request_api(ctx: Ctx) -> Expect:
    from ai.models import AIRequest
    from challenges.tests.factories import ChallengeFactory

    user = staked_member("0", available="5")
    payload = {"feature": "draft_feedback", "challenge": ChallengeFactory().slug, "draft": "A garden plan."}
    _ok(ctx.api(user).post("/api/v1/ai/requests/", payload, format="json", HTTP_IDEMPOTENCY_KEY="audit-ai"), 201)
    return Expect(AIRequest.objects.get(user=user), 0, user)


def ai_request_command(ctx: Ctx) -> Expect:
    from django.test import override_settings

    from ai.models import AIFeature
    from ai.services import request_create
    from ai.services.assistant import _claim
    from challenges.tests.factories import ChallengeFactory

    user = staked_member("0", available="5")
    asked = request_create(
        user=user,
        feature=AIFeature.FEEDBACK,
        idempotency_key="audit",
        challenge=ChallengeFactory().slug,
        draft="A plan.",
    )
    _claim(asked.pk)  # a worker took it and died
    with override_settings(OGC_AI_REQUEST_STALE_SECONDS=0, OGC_AI_REQUEST_MAX_ATTEMPTS=1):
        call_command("ai_requests_reconcile", stdout=io.StringIO())
    asked.refresh_from_db()
    assert asked.status == "failed"
    return Expect(asked, 1, None)


# --- subscriptions (accounts.Plan / Subscription / SubscriptionPeriod) --------------------------


def plan_admin(ctx: Ctx) -> Expect:
    _ok(
        ctx.admin().post(
            "/admin/subscriptions/plan/add/",
            {
                "code": "audited-plan",
                "name": "Audited",
                "description": "",
                "price": "12",
                "period_days": "30",
                "trial_days": "0",
                "features": '["extra_submissions"]',
                "is_active": "on",
                "sort_order": "5",
            },
        ),
        302,
    )
    return Expect(Plan.objects.get(code="audited-plan"), 0, ctx.superuser)


def plan_command(ctx: Ctx) -> Expect:
    call_command("seed", "--no-admin", stdout=io.StringIO())  # seed_plans() creates the default plans
    return Expect(Plan.objects.get(code="free"), 0, None)


def _subscribed(*, plan_code: str, days_ago: int = 0) -> Subscription:
    from subscriptions.services import subscription_subscribe

    user = funded_user("100")
    now = timezone.now() - timedelta(days=days_ago)
    return subscription_subscribe(user=user, plan_code=plan_code, now=now).subscription


def subscription_admin(ctx: Ctx) -> Expect:
    sub = _subscribed(plan_code=PlanFactory(code="audit-paid", price=Decimal("10")).code)
    _ok(
        ctx.admin().post(
            "/admin/subscriptions/subscription/", {"action": "cancel_at_period_end", "_selected_action": [sub.pk]}
        ),
        302,
    )
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    return Expect(sub, 1, ctx.superuser)


def _subscribe_api(ctx: Ctx):
    plan = FreePlanFactory()
    user = funded_user("0")
    _ok(
        ctx.api(user).post("/api/v1/subscription/", {"plan": plan.code}, format="json", HTTP_IDEMPOTENCY_KEY="s1"),
        201,
    )
    return user, Subscription.objects.get(user=user)


def subscription_api(ctx: Ctx) -> Expect:
    user, sub = _subscribe_api(ctx)
    return Expect(sub, 0, user)


def _renewed_by_command() -> Subscription:
    """A free subscription whose period ended a day ago, renewed by process_subscriptions."""
    sub = _subscribed(plan_code=FreePlanFactory().code, days_ago=31)
    call_command("process_subscriptions", stdout=io.StringIO())
    sub.refresh_from_db()
    assert sub.current_period_end > timezone.now()
    return sub


def subscription_command(ctx: Ctx) -> Expect:
    return Expect(_renewed_by_command(), 1, None)


def period_api(ctx: Ctx) -> Expect:
    user, sub = _subscribe_api(ctx)
    return Expect(SubscriptionPeriod.objects.get(subscription=sub, kind="start"), 0, user)


def period_command(ctx: Ctx) -> Expect:
    sub = _renewed_by_command()
    return Expect(SubscriptionPeriod.objects.get(subscription=sub, kind="renewal"), 0, None)


# --- challenges --------------------------------------------------------------------------------


def challenge_admin(ctx: Ctx) -> Expect:
    challenge = ChallengeFactory(status="draft")
    _ok(
        ctx.admin().post("/admin/challenges/challenge/", {"action": "publish", "_selected_action": [challenge.pk]}), 302
    )
    challenge.refresh_from_db()
    assert challenge.status == "scheduled"
    return Expect(challenge, 1, ctx.superuser)


def challenge_api(ctx: Ctx) -> Expect:
    staff = operator()
    starts = timezone.now() + timedelta(hours=1)
    payload = {
        "slug": "audited-challenge",
        "title": "Audited",
        "description": "D",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=2)).isoformat(),
        "prize_pool": "10",
        "prize_split": ["10"],
    }
    _ok(ctx.api(staff).post("/api/v1/challenges/", payload, format="json"), 201)
    return Expect(Challenge.objects.get(slug="audited-challenge"), 0, staff)


def challenge_command(ctx: Ctx) -> Expect:
    start = timezone.now() - timedelta(days=2)
    challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1))
    call_command("close_challenges", stdout=io.StringIO())
    challenge.refresh_from_db()
    assert challenge.status == "closed"
    return Expect(challenge, 1, None)


def _submit_api(ctx: Ctx, *, entry_fee: str = "0"):
    challenge = ChallengeFactory(entry_fee=Decimal(entry_fee))
    user = funded_user("20")
    body = _ok(
        ctx.api(user).post(
            f"/api/v1/challenges/{challenge.slug}/submissions/", {"title": "Mine", "content": "C"}, format="json"
        ),
        201,
    ).json()
    return user, challenge, Submission.objects.get(pk=body["id"])


def entry_api(ctx: Ctx) -> Expect:
    user, challenge, _ = _submit_api(ctx, entry_fee="5")
    entry = ChallengeEntry.objects.get(challenge=challenge, user=user)
    assert entry.fee_transaction is not None
    return Expect(entry, 0, user)


def submission_api(ctx: Ctx) -> Expect:
    user, _, submission = _submit_api(ctx)
    return Expect(submission, 0, user)


def submission_admin(ctx: Ctx) -> Expect:
    submission = SubmissionFactory()
    _ok(
        ctx.admin().post(
            f"/admin/challenges/submission/{submission.pk}/review/",
            {"status": "accepted", "score": "9", "review_note": "ok"},
        ),
        302,
    )
    submission.refresh_from_db()
    assert submission.status == "accepted"
    return Expect(submission, 1, ctx.superuser)


def _judged_challenge() -> Challenge:
    """A closed challenge with one accepted, ranked submission (rank 1 wins 70)."""
    from challenges.services import challenge_judge

    start = timezone.now() - timedelta(days=3)
    challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1), prize_split=["70"])
    SubmissionFactory(challenge=challenge, submitted_at=start, status="accepted", score=Decimal("9"))
    challenge_judge(challenge_id=challenge.pk, actor=operator())
    return challenge


def reward_admin(ctx: Ctx) -> Expect:
    challenge = _judged_challenge()
    _ok(
        ctx.admin().post(
            "/admin/challenges/challenge/", {"action": "award_rewards", "_selected_action": [challenge.pk]}
        ),
        302,
    )
    return Expect(Reward.objects.get(challenge=challenge), 0, ctx.superuser)


def reward_api(ctx: Ctx) -> Expect:
    challenge = _judged_challenge()
    staff = operator()
    _ok(
        ctx.api(staff).post(
            f"/api/v1/challenges/{challenge.slug}/rewards/", {}, format="json", HTTP_IDEMPOTENCY_KEY="r1"
        ),
        201,
    )
    return Expect(Reward.objects.get(challenge=challenge), 0, staff)


def badge_admin(ctx: Ctx) -> Expect:
    _ok(
        ctx.admin().post(
            "/admin/challenges/badge/add/",
            {"slug": "audited", "name": "Audited", "description": "", "icon": "*", "rule": "manual", "active": "on"},
        ),
        302,
    )
    return Expect(Badge.objects.get(slug="audited"), 0, ctx.superuser)


def user_badge_admin(ctx: Ctx) -> Expect:
    badge, user = BadgeFactory(), funded_user("0")
    _ok(
        ctx.admin().post(f"/admin/challenges/badge/{badge.pk}/award/", {"member": user.pk, "reason": "Kind"}),
        302,
    )
    return Expect(UserBadge.objects.get(user=user, badge=badge), 0, ctx.superuser)


def user_badge_api(ctx: Ctx) -> Expect:
    badge, user, staff = BadgeFactory(), funded_user("0"), moderator()
    _ok(
        ctx.api(staff).post(
            f"/api/v1/badges/{badge.slug}/award/", {"user_id": user.pk, "reason": "Kind"}, format="json"
        ),
        201,
    )
    return Expect(UserBadge.objects.get(user=user, badge=badge), 0, staff)


MATRIX: dict[str, dict[str, Callable[[Ctx], Expect] | NA]] = {
    "accounts.User": {"admin": user_admin, "api": user_api, "command": user_command},
    "governance.Admin": {
        "admin": NA("proxy of accounts.User: its entries are filed under accounts.User (see accounts.User)"),
        "api": NA("proxy of accounts.User"),
        "command": NA("proxy of accounts.User"),
    },
    "wallets.Wallet": {"admin": wallet_admin, "api": wallet_api, "command": wallet_command},
    "wallets.Transaction": {"admin": transaction_admin, "api": transaction_api, "command": transaction_command},
    "wallets.WithdrawalApproval": {
        "admin": withdrawal_approval_admin,
        "api": withdrawal_approval_api,
        "command": NA("no command approves withdrawals"),
    },
    "wallets.WalletAddress": {
        "admin": NA("addresses are read-only in the admin (wallets/admin/wallet.py)"),
        "api": address_api,
        "command": NA("no command writes withdrawal addresses"),
    },
    "governance.Proposal": {"admin": proposal_admin, "api": proposal_api, "command": proposal_command},
    "governance.Vote": {
        "admin": NA("votes are cast by members only; the vote admin is read-only"),
        "api": vote_api,
        "command": NA("no command writes votes (closing reads them)"),
    },
    "notifications.NotificationPreference": {
        "admin": NA("read-only in the admin"),
        "api": preference_api,
        "command": NA("no command writes preferences"),
    },
    "ai.MemberAIPreference": {
        "admin": NA("read-only in the admin"),
        "api": ai_preference_api,
        "command": NA("no command writes members' choices"),
    },
    "ai.SimilarityFlag": {
        "admin": NA("read-only in the admin: flags change only when a moderator reviews the submission"),
        "api": NA("the API lists flags; the worker and the review write them"),
        "command": ai_flag_command,
    },
    "ai.AIRequest": {
        "admin": NA("read-only in the admin: requests change only through the assistant's services"),
        "api": ai_request_api,
        "command": ai_request_command,
    },
    "subscriptions.Plan": {
        "admin": plan_admin,
        "api": NA("GET /api/v1/plans/ is read-only: operators edit plans in the admin, `seed` creates the defaults"),
        "command": plan_command,
    },
    "subscriptions.Subscription": {
        "admin": subscription_admin,
        "api": subscription_api,
        "command": subscription_command,
    },
    "subscriptions.SubscriptionPeriod": {
        "admin": NA(
            "periods are read-only in the admin; its subscription actions (extend, cancel) change the "
            "subscription and open no period (see accounts.Subscription:admin)"
        ),
        "api": period_api,
        "command": period_command,
    },
    "challenges.Challenge": {"admin": challenge_admin, "api": challenge_api, "command": challenge_command},
    "challenges.ChallengeEntry": {
        "admin": NA("entries are read-only in the admin; a member's first submission creates them"),
        "api": entry_api,
        "command": NA("no command writes entries: only submission_create (a member's first submission) does"),
    },
    "challenges.Submission": {
        "admin": submission_admin,
        "api": submission_api,
        "command": NA("no command writes submissions: close_challenges changes only the challenge's status"),
    },
    "challenges.Reward": {
        "admin": reward_admin,
        "api": reward_api,
        "command": NA(
            "rewards are written only by the award service (rewards_award); the admin action 'award rewards' "
            "is the admin channel and POST .../rewards/ the API channel; no command pays rewards"
        ),
    },
    "challenges.Badge": {
        "admin": badge_admin,
        "api": NA("the badges API reads the catalog; award/revoke write UserBadge (see challenges.UserBadge)"),
        "command": NA(
            "no command writes the catalog: the rule badges come from data migration 0002_default_badges, "
            "and operators edit the catalog in the admin"
        ),
    },
    "challenges.UserBadge": {
        "admin": user_badge_admin,
        "api": user_badge_api,
        "command": NA(
            "no command grants or revokes badges: rules fire on submissions, reviews, rewards and stakes, "
            "none of which a command performs (release_unstakes completes unstakes only)"
        ),
    },
}


def _cases():
    for label, row in MATRIX.items():
        for channel in CHANNELS:
            scenario = row.get(channel)
            if callable(scenario):
                yield pytest.param(label, channel, scenario, id=f"{label}-{channel}")


def _existing(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def test_matrix_covers_every_audited_model():
    wanted = {label for label in ISSUE_MODELS if _existing(label)}
    wanted |= {model._meta.label for model in auditlog.get_models()}
    missing = sorted(
        f"{label}:{channel}"
        for label in wanted
        for channel in CHANNELS
        if not (callable(MATRIX.get(label, {}).get(channel)) or isinstance(MATRIX.get(label, {}).get(channel), NA))
    )
    assert missing == [], f"audit matrix rows missing: {missing}"


def test_every_issue_model_is_registered_with_auditlog():
    registered = {model._meta.label for model in auditlog.get_models()}
    missing = sorted(label for label in ISSUE_MODELS if _existing(label) and label not in registered)
    assert missing == []


@pytest.mark.parametrize(("label", "channel", "scenario"), list(_cases()))
def test_audit_entry_has_actor_cid_and_address(label, channel, scenario, broker):
    ctx = Ctx()
    expect = scenario(ctx)
    obj = expect.obj
    content_type = ContentType.objects.get_for_model(obj)  # proxies file under the concrete model
    entries = LogEntry.objects.filter(
        content_type=content_type, object_pk=str(expect.pk or obj.pk), action=expect.action
    )
    assert entries.exists(), f"no {LogEntry.Action.choices[expect.action][1]} entry for {label} via {channel}"
    entry = entries.latest("timestamp")
    assert entry.actor == expect.actor
    if channel == "command":
        assert entry.cid and entry.cid.startswith("cmd:"), entry.cid
        assert entry.remote_addr is None
    else:
        assert entry.cid == ctx.request_id
        assert entry.remote_addr == REMOTE
