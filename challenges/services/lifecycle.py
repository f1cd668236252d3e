"""A challenge's settings and status: create, edit, publish, close (by an operator or
the expiry job), archive. Judging and paying are in ``judging``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.lock_objects import challenge_for_update
from challenges.models import Challenge, FeeDestination, Visibility
from challenges.services.escrow import FUNDED_STATUSES, escrow_settle, escrow_sync
from challenges.services.rules import CS, _require_operator, _validate_prizes
from core.audit import AuditAction, audit_record
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError

#: What an operator sets on a challenge (create and update); status, prize_paid and the
#: timestamps move only through the lifecycle services.
CHALLENGE_FIELDS = (
    "slug",
    "title",
    "description",
    "rules",
    "category",
    "tags",
    "visibility",
    "starts_at",
    "ends_at",
    "entry_fee",
    "entry_fee_to",
    "prize_pool",
    "prize_split",
    "max_submissions_per_user",
)


def _clean_challenge_fields(fields: dict[str, Any], *, instance: Challenge | None = None) -> dict[str, Any]:
    """Validate and normalise challenge fields (the one copy of these rules, for the API,
    the admin and the seed): a unique slug, an end after the start, decimal prizes
    that fit the pool (and, on an edit, a pool not below what was already paid), at
    least one submission per member. ``fields`` holds every field of ``CHALLENGE_FIELDS``."""
    slug = (fields["slug"] or "").strip()
    taken = Challenge.objects.filter(slug=slug)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if not slug or taken.exists():
        raise ConflictError(_("This slug is already used."), code="slug_taken", field="slug")
    if fields["ends_at"] <= fields["starts_at"]:
        raise ApplicationError(_("The end must be after the start."), code="invalid_window", field="ends_at")
    pool, split, fee = _validate_prizes(
        prize_pool=fields["prize_pool"], prize_split=fields["prize_split"] or [], entry_fee=fields["entry_fee"]
    )
    if instance is not None and pool < instance.prize_paid:
        raise ConflictError(
            _("The pool cannot be smaller than what was already paid."), code="pool_below_paid", field="prize_pool"
        )
    if fields["entry_fee_to"] not in FeeDestination.values:
        raise ApplicationError(_("Choose where the entry fees go."), code="invalid", field="entry_fee_to")
    if fields["max_submissions_per_user"] < 1:
        raise ApplicationError(_("At least one submission per user."), code="invalid", field="max_submissions_per_user")
    return {
        **fields,
        "slug": slug,
        "title": fields["title"].strip(),
        "category": (fields["category"] or "").strip().lower(),
        "tags": [str(tag).strip().lower() for tag in (fields["tags"] or []) if str(tag).strip()],
        "entry_fee": fee,
        "prize_pool": pool,
        "prize_split": split,
    }


@transaction.atomic
def challenge_create(
    *,
    created_by: User,
    slug: str,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    rules: str = "",
    category: str = "",
    tags: list[str] | None = None,
    entry_fee: Any = "0",
    entry_fee_to: str = FeeDestination.REVENUE,
    prize_pool: Any = "0",
    prize_split: list[Any] | None = None,
    max_submissions_per_user: int = 1,
    visibility: str = Visibility.PUBLIC,
    status: str = CS.DRAFT,
) -> Challenge:
    """Create a challenge (operators). ``status`` may be draft or scheduled; a scheduled
    one is published at once: its prize pool is funded into its escrow."""
    _require_operator(created_by, _("You do not have the role needed to create challenges."))
    if status not in (CS.DRAFT, CS.SCHEDULED):
        raise ApplicationError(_("A new challenge is a draft or scheduled."), code="invalid_status", field="status")
    fields = _clean_challenge_fields(
        {
            "slug": slug,
            "title": title,
            "description": description,
            "rules": rules,
            "category": category,
            "tags": tags,
            "visibility": visibility,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "entry_fee": entry_fee,
            "entry_fee_to": entry_fee_to,
            "prize_pool": prize_pool,
            "prize_split": prize_split,
            "max_submissions_per_user": max_submissions_per_user,
        }
    )
    challenge = Challenge(**fields, status=status, created_by=created_by)
    challenge.full_clean()
    challenge.save()
    data = {"status": status}
    if status in FUNDED_STATUSES:
        data["escrow_funded"] = str(escrow_sync(challenge, actor=created_by))
    audit_record(action=AuditAction.CHALLENGE_CREATE, instance=challenge, actor=created_by, data=data)
    return challenge


@retry_on_lock_conflict()
@transaction.atomic
def challenge_update(*, challenge_id: int, actor: User, **changes: Any) -> Challenge:
    """Edit a challenge's settings (operators): any of ``CHALLENGE_FIELDS``, checked by
    the same rules as ``challenge_create`` on the locked row. Returns the challenge;
    saves (and audits the changed field names) only when something changed."""
    _require_operator(actor, _("You do not have the role needed to edit challenges."))
    unknown = set(changes) - set(CHALLENGE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="invalid"
        )
    challenge = challenge_for_update(challenge_id=challenge_id)
    current = {name: getattr(challenge, name) for name in CHALLENGE_FIELDS}
    fields = _clean_challenge_fields({**current, **changes}, instance=challenge)
    changed = [name for name in CHALLENGE_FIELDS if fields[name] != current[name]]
    if not changed:
        return challenge
    for name in changed:
        setattr(challenge, name, fields[name])
    challenge.full_clean()
    challenge.save(update_fields=[*changed, "updated_at"])
    data: dict[str, Any] = {"fields": changed}
    if "prize_pool" in changed and challenge.status in FUNDED_STATUSES:
        # Raised: the treasury funds the difference; lowered: the escrow returns it.
        lowered = fields["prize_pool"] < current["prize_pool"]
        data["escrow_moved"] = str(escrow_sync(challenge, actor=actor, give_back=lowered))
    audit_record(action=AuditAction.CHALLENGE_UPDATE, instance=challenge, actor=actor, data=data)
    return challenge


@retry_on_lock_conflict()
@transaction.atomic
def challenge_publish(*, challenge_id: int, actor: User) -> Challenge:
    """Draft -> scheduled: the challenge becomes visible; it opens at ``starts_at``. Its
    prize pool moves from the treasury into its escrow in the same transaction (refused
    with 409 ``treasury_refused`` when the treasury policy forbids it: nothing changes)."""
    _require_operator(actor, _("You do not have the role needed to publish challenges."))
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.DRAFT:
        raise ConflictError(
            _("Only a draft can be published (this one is %(status)s).") % {"status": challenge.get_status_display()},
            code="not_draft",
        )
    challenge.status = CS.SCHEDULED
    challenge.save(update_fields=["status", "updated_at"])
    funded = escrow_sync(challenge, actor=actor)
    audit_record(
        instance=challenge, action=AuditAction.CHALLENGE_PUBLISH, actor=actor, data={"escrow_funded": str(funded)}
    )
    return challenge


def _close(challenge: Challenge, now: datetime, *, actor: User | None = None) -> None:
    early = now < challenge.ends_at
    challenge.status = CS.CLOSED
    challenge.closed_at = now
    challenge.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(action=AuditAction.CHALLENGE_CLOSE, instance=challenge, actor=actor, data={"early": early})


@retry_on_lock_conflict()
@transaction.atomic
def challenge_close(*, challenge_id: int, actor: User, now: datetime | None = None) -> Challenge:
    """Scheduled -> closed by an operator, also before the deadline (closes early)."""
    _require_operator(actor, _("You do not have the role needed to close challenges."))
    now = now or timezone.now()
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.SCHEDULED:
        raise ConflictError(
            _("Only a scheduled challenge can be closed (this one is %(status)s).")
            % {"status": challenge.get_status_display()}
        )
    _close(challenge, now, actor=actor)
    return challenge


@retry_on_lock_conflict()
@transaction.atomic
def _close_if_due(*, challenge_id: int, now: datetime) -> bool:
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.SCHEDULED or challenge.ends_at > now:
        return False
    _close(challenge, now)
    return True


def challenges_close_due(*, now: datetime | None = None) -> int:
    """The expiry job: close every scheduled challenge whose deadline passed.
    Each challenge is re-checked under its lock, so concurrent runs are safe."""
    now = now or timezone.now()
    due = Challenge.objects.filter(status=CS.SCHEDULED, ends_at__lte=now).order_by("ends_at", "pk")
    return sum(1 for pk in due.values_list("pk", flat=True) if _close_if_due(challenge_id=pk, now=now))


@retry_on_lock_conflict()
@transaction.atomic
def challenge_archive(*, challenge_id: int, actor: User) -> Challenge:
    """Closed or judged -> archived (read-only from then on). What is left in the prize
    escrow returns to the treasury, and the escrow closes (once: archiving is once)."""
    _require_operator(actor, _("You do not have the role needed to archive challenges."))
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status not in (CS.CLOSED, CS.JUDGED):
        raise ConflictError(_("Only a closed or judged challenge can be archived."), code="challenge_not_closed")
    challenge.status = CS.ARCHIVED
    challenge.save(update_fields=["status", "updated_at"])
    returned = escrow_settle(challenge, actor=actor)
    audit_record(
        instance=challenge, action=AuditAction.CHALLENGE_ARCHIVE, actor=actor, data={"escrow_returned": str(returned)}
    )
    return challenge
