"""Demo badges, notifications (with deliveries) and governance proposals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from challenges.models import Badge, BadgeRule, UserBadge
from core.amounts import format_amount
from demo.bulk import bulk_insert
from demo.plan import NOTICES_PER_USER, DemoPlan, Notice, Person, resolve
from governance.models import DEFAULT_CHOICES, Proposal, ProposalStatus, Vote
from notifications.kinds import Channel
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from wallets.models import TransactionKind, TransactionStatus

K, ST = TransactionKind, TransactionStatus
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
REVOKE_SHARE = 0.01  # a few badges were revoked by staff (the row stays, marked revoked)
EMAIL_ERRORS = ["SMTP 550: mailbox unavailable", "SMTP 421: service not available, try again later"]


# --- badges ---------------------------------------------------------------------------------


def plan_ledger_badges(person: Person) -> None:
    """The staking rules (``challenges.badges.on_ledger_row``): a first completed stake,
    and a staked balance after a stake of at least ``OGC_BADGE_STAKER_MIN``."""
    threshold = Decimal(str(getattr(settings, "OGC_BADGE_STAKER_MIN", "1000")))
    for row in person.ledger.rows:
        if row.kind != K.STAKE:
            continue
        person.badge(BadgeRule.FIRST_STAKE, row.created_at, row, "First stake")
        if row.staked_after >= threshold:
            person.badge(BadgeRule.STAKER, row.created_at, row, f"Staked at least {format_amount(threshold)}")
            break


def write_badges(plan: DemoPlan) -> list[UserBadge]:
    by_rule = {b.rule: b for b in Badge.objects.filter(active=True).exclude(rule=BadgeRule.MANUAL).order_by("pk")}
    types: dict[type, ContentType] = {}
    rows: list[UserBadge] = []
    for person in plan.people:
        for planned in sorted(person.badges.values(), key=lambda b: b.at):
            badge = by_rule.get(planned.rule)
            if badge is None:
                continue
            model = type(planned.source)
            types.setdefault(model, ContentType.objects.get_for_model(model))
            held = UserBadge(
                user=person.user,
                badge=badge,
                awarded_at=planned.at,
                reason=planned.reason[:300],
                source_type=types[model],
                source_id=planned.source.pk,
            )
            if plan.rng.random() < REVOKE_SHARE and planned.at < plan.now - DAY:
                held.revoked_at = plan.moment(planned.at + HOUR, plan.now)
                held.revoked_by = plan.operator
                held.revoke_reason = "Awarded by mistake (duplicate account)."
            rows.append(held)
            person.notices.append(
                Notice(
                    planned.at,
                    "badge_earned",
                    f"Badge earned: {badge.name}",
                    badge.description or f"You earned the {badge.name} badge.",
                    {"badge": badge.slug, "reason": held.reason},
                    lambda h=held: f"badge:{h.pk}:{h.awarded_at.isoformat()}",
                )
            )
    return bulk_insert(UserBadge, rows)


# --- notifications ------------------------------------------------------------------------------


def ledger_notices(plan: DemoPlan, person: Person) -> None:
    """What ``wallets.events.transaction_event`` notifies for the rows the wallets app
    owns (deposits, withdrawals, staking, adjustments), at the row's final status."""
    from wallets.selectors import ledger_row_message  # the same wording as the live notifications

    for row in person.ledger.rows:
        message = ledger_row_message(row=row)
        if message is None:
            continue
        kind, title, body = message
        person.notices.append(
            Notice(
                row.completed_at or row.created_at,
                kind,
                title,
                body,
                lambda r=row: {
                    "transaction_id": r.pk,
                    "kind": r.kind,
                    "status": r.status,
                    "amount": str(r.amount),
                    "available": str(r.available_after),
                },
                lambda r=row: f"ledger:{r.pk}:{r.status}",
            )
        )


def write_notifications(plan: DemoPlan) -> tuple[list[Notification], list[NotificationDelivery]]:
    """Each user's most recent notices (``NOTICES_PER_USER``): older ones read, the
    latest maybe unread; in-app delivered; email mostly sent, some failed after the
    retries, the newest few still queued (the relay delivers them)."""
    rng, now = plan.rng, plan.now
    notifications: list[Notification] = []
    for person in plan.people:
        for notice in sorted(person.notices, key=lambda n: n.at)[-NOTICES_PER_USER:]:
            notification = Notification(
                recipient=person.user,
                kind=notice.kind,
                title=notice.title[:200],
                body=notice.body,
                data=resolve(notice.data),
                event_id=resolve(notice.event_id),
                created_at=notice.at,
            )
            if notice.at < now - DAY and rng.random() < 0.8:
                notification.read_at = plan.moment(notice.at + MINUTE, min(notice.at + 3 * DAY, now))
            notifications.append(notification)
    notifications.sort(key=lambda n: n.created_at)
    bulk_insert(Notification, notifications)
    deliveries: list[NotificationDelivery] = []
    waiting = max(1, len(notifications) // 100)  # the newest emails are still waiting for the worker
    for number, notification in enumerate(notifications):
        at = notification.created_at
        deliveries.append(
            NotificationDelivery(
                notification=notification,
                channel=Channel.IN_APP,
                status=DeliveryStatus.SENT,
                attempts=1,
                queued_at=at,
                sent_at=at + timedelta(seconds=1),
                updated_at=at + timedelta(seconds=1),
            )
        )
        roll = rng.random()
        email = NotificationDelivery(notification=notification, channel=Channel.EMAIL, queued_at=at, updated_at=at)
        if number >= len(notifications) - waiting:
            email.status = DeliveryStatus.QUEUED
        elif roll < 0.04:
            email.status, email.attempts = DeliveryStatus.FAILED, 5
            email.last_error = rng.choice(EMAIL_ERRORS)
            email.updated_at = at + 20 * MINUTE
        else:
            email.status, email.attempts = DeliveryStatus.SENT, 1 if roll < 0.95 else 2
            email.sent_at = email.updated_at = at + timedelta(seconds=rng.uniform(2, 90))
        deliveries.append(email)
    bulk_insert(NotificationDelivery, deliveries, batch_size=2_000)
    return notifications, deliveries


# --- governance -------------------------------------------------------------------------------------

PROPOSALS = [
    # (status after the build, voting starts (days from now), length in days, title)
    ("closed", -45, 7, "Raise the staking badge threshold to 2,000 OGC"),
    ("closed", -20, 7, "Fund a design challenge every month from the treasury"),
    ("active", -2, 7, "Add a video category to the challenges"),
    ("draft", 5, 7, "Lower the proposal minimum stake to 50 OGC"),
    ("canceled", -10, 7, "Rename the Pro plan to Supporter"),
]
MAX_VOTERS = 150


def write_governance(plan: DemoPlan) -> tuple[list[Proposal], list[Vote], list[Proposal]]:
    """Proposals in every status with stake-weighted votes. Vote weight is the voter's
    staked balance at the snapshot, taken from the same simulated ledger that was
    written (so it equals ``governance.selectors.staked_balance_at``). Proposals to
    close are written active with their votes and closed by the real service
    (``proposal_close``: tally, quorum, outcome, voters notified)."""
    rng, now = plan.rng, plan.now
    minimum = Decimal(settings.OGC_PROPOSAL_MIN_STAKE)
    proposals: list[Proposal] = []
    votes: list[Vote] = []
    for status, start_days, length_days, title in PROPOSALS:
        starts = now + timedelta(days=start_days, minutes=rng.uniform(0, 600))
        created = min(starts, now) - DAY * rng.uniform(0.5, 2)
        authors = [p for p in plan.active_people if p.ledger.staked_at(created) >= minimum]
        if not authors:
            continue  # nobody had the stake a proposal needs at that time
        author = rng.choice(authors)
        proposal = Proposal(
            # Only top-up runs tag their titles, so the first build reads naturally.
            title=title if plan.batch == "b1" else f"{title} ({plan.batch})",
            body=f"{title}.\n\nA demo proposal: discuss it in the forum, then vote with your staked OGC.",
            author=author.user,
            status=ProposalStatus.DRAFT if status == "draft" else ProposalStatus.ACTIVE,
            choices=list(DEFAULT_CHOICES),
            voting_starts_at=starts,
            voting_ends_at=starts + timedelta(days=length_days),
            snapshot_at=starts,
            quorum_share=Decimal(settings.OGC_PROPOSAL_QUORUM_SHARE),
            created_at=created,
            updated_at=created,
        )
        if status != "draft":
            proposal.published_at = created + HOUR
        if status == "canceled":
            proposal.status = ProposalStatus.CANCELED
            proposal.canceled_at = starts + DAY * rng.uniform(0.5, 2)
            proposal.updated_at = proposal.canceled_at
        proposal._demo_close = status == "closed"
        proposals.append(proposal)
        if status == "draft":
            continue
        voting_until = min(proposal.voting_ends_at, proposal.canceled_at or now, now)
        voters = [p for p in plan.active_people if p.ledger.staked_at(starts) > 0]
        for person in rng.sample(voters, min(len(voters), MAX_VOTERS)):
            at = plan.moment(starts, voting_until)
            votes.append(
                Vote(
                    proposal=proposal,
                    voter=person.user,
                    choice=rng.choices(DEFAULT_CHOICES, (50, 35, 15))[0],
                    weight=person.ledger.staked_at(starts),
                    created_at=at,
                    updated_at=at,
                )
            )
    bulk_insert(Proposal, proposals)
    bulk_insert(Vote, votes)
    return proposals, votes, [p for p in proposals if p._demo_close]
