"""Four-eyes approval of withdrawals (issue #17): nobody approves their own request,
and above ``OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE`` a withdrawal needs the approvals of
two different operators (``withdrawal_approvals``, unique per withdrawal and operator).

``withdrawal_approval_check`` is the one step ``withdrawal_approve`` takes before it
settles, on the locked pending row: it refuses (the requester: 403
``approval_own_request``; the same operator again: 409 ``approval_already_given``; a
job without an operator on a two-approval withdrawal: 409 ``approval_needs_operator``),
or records the approval and says whether this one settles it. The first of two is
recorded and nothing moves: the queue shows "1 of 2 approvals". Every approval and
every refusal is audited with both actors (the operator as the entry's actor, the
requester in its data); a refusal's entry is written after the rollback
(``ApplicationError.on_rollback``, ``core.db.run_refusal_hooks``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.audit import AuditAction, audit_record
from core.exceptions import ApplicationError, ConflictError
from wallets.models import Transaction, WithdrawalApproval

if TYPE_CHECKING:
    from accounts.models import User


def approvals_needed(*, amount: Decimal) -> int:
    threshold = settings.OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE
    return 2 if threshold is not None and amount > threshold else 1


def _actors(row: Transaction, actor: Any) -> dict[str, Any]:
    return {
        "amount": row.amount,
        "requested_by_id": row.user_id,
        "requested_by": row.user.email,
        "operator_id": getattr(actor, "pk", None),
        "operator": getattr(actor, "email", None),
    }


def _refuse(row: Transaction, actor: Any, error: ApplicationError) -> ApplicationError:
    data = {**_actors(row, actor), "refused": error.code, "reason": error.message}

    def audit() -> None:
        audit_record(action=AuditAction.WITHDRAWAL_APPROVAL_REFUSED, instance=row, actor=actor, data=data)

    error.on_rollback = audit
    return error


def withdrawal_approval_check(*, row: Transaction, actor: User | None) -> bool:
    """On the locked pending withdrawal ``row``: refuse, or record ``actor``'s approval
    and return whether the withdrawal settles now (False: it waits for another operator)."""
    if actor is not None and row.user_id == actor.pk:
        raise _refuse(
            row,
            actor,
            ApplicationError(
                _("Nobody approves their own withdrawal: another operator must."),
                code="approval_own_request",
                status_code=403,
            ),
        )
    needed = approvals_needed(amount=row.amount)
    if actor is None:
        if needed > 1:
            raise _refuse(
                row,
                actor,
                ConflictError(
                    _("This withdrawal needs the approvals of two operators."), code="approval_needs_operator"
                ),
            )
        return True
    given = list(WithdrawalApproval.objects.filter(withdrawal=row).values_list("operator_id", flat=True))
    if actor.pk in given:
        raise _refuse(
            row,
            actor,
            ConflictError(
                _("You have already approved this withdrawal: it needs another operator's approval."),
                code="approval_already_given",
            ),
        )
    WithdrawalApproval.objects.create(withdrawal=row, operator=actor)
    count = len(given) + 1
    audit_record(
        action=AuditAction.WITHDRAWAL_APPROVAL_GIVEN,
        instance=row,
        actor=actor,
        data={**_actors(row, actor), "approval": count, "approvals_needed": needed},
    )
    return count >= needed
