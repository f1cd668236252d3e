"""One operation, one named audit entry, whichever entry point ran it.

The services write the entry (``core.audit.audit_record``); the admin, the API and the
commands only call them. For each operation with more than one entry point, each
entry point must leave exactly one entry with the operation's name on the same kind
of object, with the acting user (or the command's context) and the request's
correlation id. ``test_audit_matrix`` covers the row-level entries of every model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from challenges.tests.factories import ChallengeFactory, SubmissionFactory, moderator, operator
from core.audit import AuditAction
from governance.models import Proposal
from governance.tests.factories import open_proposal
from governance.tests.test_audit_matrix import (
    REMOTE,
    Ctx,
    _ok,
    challenge_command,
    proposal_admin,
    proposal_command,
    reward_admin,
    reward_api,
    submission_admin,
    user_badge_admin,
    user_badge_api,
)
from wallets.models import Transaction
from wallets.services import withdrawal_request
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db


@dataclass
class Named:
    obj: Any
    actor: Any  # None: a command without a user


def _pending_withdrawal() -> Transaction:
    user = funded_user("10")
    address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[0])
    return withdrawal_request(user=user, amount=Decimal("3"), address_id=address.pk)


def approve_admin(ctx: Ctx) -> Named:
    row = _pending_withdrawal()
    _ok(
        ctx.admin().post("/admin/wallets/transaction/", {"action": "approve_withdrawals", "_selected_action": [row.pk]})
    )
    return Named(row, ctx.superuser)


def approve_api(ctx: Ctx) -> Named:
    row, staff = _pending_withdrawal(), operator()
    _ok(ctx.api(staff).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json", HTTP_IDEMPOTENCY_KEY="a1"))
    return Named(row, staff)


def reject_admin(ctx: Ctx) -> Named:
    row = _pending_withdrawal()
    _ok(
        ctx.admin().post(
            "/admin/wallets/transaction/",
            {"action": "reject_withdrawals", "_selected_action": [row.pk], "reason": "Sanctioned address"},
        )
    )
    return Named(row, ctx.superuser)


def reject_api(ctx: Ctx) -> Named:
    row, staff = _pending_withdrawal(), operator()
    _ok(
        ctx.api(staff).post(
            f"/api/v1/ops/withdrawals/{row.pk}/reject/",
            {"reason": "Sanctioned address"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="r1",
        )
    )
    return Named(row, staff)


def _money_admin(ctx: Ctx, path: str, extra: dict[str, str]) -> Named:
    user = funded_user("10")
    data = {"member": user.pk, "amount": "4", "reason": "Support ticket 7", "token": "t" * 32, **extra}
    _ok(ctx.admin().post(f"/admin/wallets/transaction/{path}/", data), 302)
    return Named(Transaction.objects.filter(user=user).latest("pk"), ctx.superuser)


def _money_api(ctx: Ctx, path: str, extra: dict[str, str]) -> Named:
    user, staff = funded_user("10"), operator()
    payload = {"user_id": user.pk, "amount": "4", **extra}
    _ok(ctx.api(staff).post(f"/api/v1/ops/{path}/", payload, format="json", HTTP_IDEMPOTENCY_KEY="m1"), 201)
    return Named(Transaction.objects.filter(user=user).latest("pk"), staff)


def deposit_admin(ctx: Ctx) -> Named:
    return _money_admin(ctx, "deposit", {})


def deposit_api(ctx: Ctx) -> Named:
    return _money_api(ctx, "deposits", {"memo": "Support ticket 7"})


def adjustment_admin(ctx: Ctx) -> Named:
    return _money_admin(ctx, "adjust", {"direction": "credit"})


def adjustment_api(ctx: Ctx) -> Named:
    return _money_api(ctx, "adjustments", {"direction": "credit", "reason": "Support ticket 7"})


def review_api(ctx: Ctx) -> Named:
    submission, staff = SubmissionFactory(), moderator()
    _ok(
        ctx.api(staff).post(
            f"/api/v1/challenges/{submission.challenge.slug}/submissions/{submission.pk}/review/",
            {"status": "accepted", "score": "9"},
            format="json",
        )
    )
    return Named(submission, staff)


def _ended_challenge():
    start = timezone.now() - timedelta(days=2)
    return ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1))


def close_challenge_admin(ctx: Ctx) -> Named:
    challenge = _ended_challenge()
    _ok(ctx.admin().post("/admin/challenges/challenge/", {"action": "close_now", "_selected_action": [challenge.pk]}))
    return Named(challenge, ctx.superuser)


def _ended_proposal() -> Proposal:
    proposal = open_proposal()
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(
        voting_starts_at=now - timedelta(hours=2), snapshot_at=now - timedelta(hours=2), voting_ends_at=now
    )
    return proposal


def close_proposal_admin(ctx: Ctx) -> Named:
    proposal = _ended_proposal()
    _ok(
        ctx.admin().post(
            "/admin/governance/proposal/", {"action": "close_ended_proposals", "_selected_action": [proposal.pk]}
        )
    )
    return Named(proposal, ctx.superuser)


def cancel_proposal_api(ctx: Ctx) -> Named:
    proposal = open_proposal()
    _ok(ctx.api(proposal.author).post(f"/api/v1/proposals/{proposal.pk}/cancel/", {}, format="json"))
    return Named(proposal, proposal.author)


OPERATIONS: dict[AuditAction, dict[str, Callable[[Ctx], Any]]] = {
    AuditAction.WITHDRAWAL_APPROVE: {"admin": approve_admin, "api": approve_api},
    AuditAction.WITHDRAWAL_REJECT: {"admin": reject_admin, "api": reject_api},
    AuditAction.DEPOSIT_CREATE: {"admin": deposit_admin, "api": deposit_api},
    AuditAction.ADJUSTMENT_CREATE: {"admin": adjustment_admin, "api": adjustment_api},
    # Scenarios shared with the audit matrix return its ``Expect`` (same obj and actor).
    AuditAction.SUBMISSION_REVIEW: {"admin": submission_admin, "api": review_api},
    AuditAction.REWARD_AWARD: {"admin": reward_admin, "api": reward_api},
    AuditAction.BADGE_AWARD: {"admin": user_badge_admin, "api": user_badge_api},
    AuditAction.CHALLENGE_CLOSE: {"admin": close_challenge_admin, "command": challenge_command},
    AuditAction.PROPOSAL_CLOSE: {"admin": close_proposal_admin, "command": proposal_command},
    AuditAction.PROPOSAL_CANCEL: {"admin": proposal_admin, "api": cancel_proposal_api},
}


@pytest.mark.parametrize(
    ("action", "entry_point", "scenario"),
    [(action, point, scenario) for action, points in OPERATIONS.items() for point, scenario in points.items()],
    ids=lambda value: getattr(value, "value", value) if not callable(value) else "",
)
def test_operation_leaves_the_same_named_entry_from_every_entry_point(action, entry_point, scenario, broker):
    ctx = Ctx()
    expected = scenario(ctx)
    entries = LogEntry.objects.filter(additional_data__action=action.value, object_pk=str(expected.obj.pk))
    assert entries.count() == 1, [(e.object_repr, e.additional_data) for e in entries]
    entry = entries.get()
    assert (entry.content_type.model_class(), entry.object_pk) == (type(expected.obj), str(expected.obj.pk))
    assert entry.changes_text == f"action: {action.value}"
    if entry_point == "command":
        assert entry.actor is None and entry.cid.startswith("cmd:")
    else:
        assert entry.actor == expected.actor
        assert (entry.cid, entry.remote_addr) == (ctx.request_id, REMOTE)


def test_every_operation_with_several_entry_points_is_in_the_table():
    assert all(len(points) >= 2 for points in OPERATIONS.values())
