"""Demo data at scale: ``manage.py seed --demo --users N``.

Builds a believable platform for N demo users (``demo<i>@demo.ogc.local``,
password ``DEMO_PASSWORD``): wallets with deposits, stakes, unstakes,
withdrawals in every state and a few adjustments; challenges in every state
with entries, fees, submissions, reviews and rewards; badges; subscriptions in
every status with their periods and payments; notifications with deliveries;
proposals with stake-weighted votes. docs/seeding.md describes the choices.

The members, their wallets and their own wallet activity are planned in
``demo.members``; challenges, subscriptions and the community (badges,
notifications, governance) in ``demo.challenges``, ``demo.subscriptions`` and
``demo.community``.

How it keeps every invariant while writing in bulk:

* Each wallet's history is replayed in time order through
  ``wallets.ledger.EFFECTS`` (``demo.ledger.LedgerSim``): the rows'
  balances-after and the wallet's final balances are exactly the ledger sums,
  so ``verify_ledger`` holds by construction. Nothing is ever overdrawn. The rows
  are then journaled as the posting path would have (balanced entries against the
  system accounts: ``wallets.services.journal_unjournaled_rows``); the published,
  not archived challenges' escrows are then funded with what their pools still owe
  (``challenges.services.escrow.escrows_fund_unfunded``, the rule of migration
  challenges 0005: the demo's rewards stay minted, like history written before escrows).
* Rows that point at each other are planned as unsaved instances and written in
  dependency order (users, wallets, challenges, subscriptions, submissions,
  ledger rows, entries, rewards, periods, badges, notifications, proposals);
  keys that embed primary keys are computed just before their rows are written.
* Unique keys (emails, deposit addresses, external references, idempotency
  keys, slugs) derive from the user's index and the batch, never from chance.
* Bulk writes send no signals: the wallet of each user is written explicitly in
  the same transaction, and instead of one audit entry per row (demo data is
  not an operator's action) one ``LogEntry`` summarises the build.

Idempotent: users ``demo1`` .. ``demoN`` that already exist are kept as they
are; a run only adds the missing indices (with their own challenges and
proposals, tagged with the batch ``b<first new index>``).
"""

from __future__ import annotations

import random
import re
from typing import TextIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from challenges.models import Challenge, ChallengeEntry, Reward, Submission
from challenges.services.escrow import escrows_fund_unfunded
from core.permissions import ROLE_MEMBER
from demo import challenges as demo_challenges
from demo import community
from demo import subscriptions as demo_subscriptions
from demo.bulk import Progress, bulk_insert
from demo.members import plan_activity, write_users, write_wallets
from demo.plan import DEMO_DOMAIN, DemoPlan
from subscriptions.models import Plan, Subscription, SubscriptionPeriod
from wallets.models import Transaction
from wallets.services import journal_unjournaled_rows

USERS_PER_CHALLENGE = 400

_DEMO_EMAIL = re.compile(rf"^demo(\d+)@{re.escape(DEMO_DOMAIN)}$")


def existing_demo_indices() -> set[int]:
    emails = User.objects.filter(email__startswith="demo", email__endswith=f"@{DEMO_DOMAIN}").values_list(
        "email", flat=True
    )
    return {int(m.group(1)) for m in map(_DEMO_EMAIL.match, emails) if m}


def build_demo_platform(
    *, users: int, password: str, stream: TextIO | None = None, seed: int | None = None, now=None
) -> dict[str, int]:
    """Top the demo platform up to ``users`` demo users; returns the counts written.
    Call inside a transaction (``seed`` runs in one)."""
    progress = Progress(stream)
    have = existing_demo_indices()
    missing = [i for i in range(1, users + 1) if i not in have]
    if not missing:
        progress.done("nothing", f"{len(have)} demo users exist already (>= {users})")
        return {}
    now = now or timezone.now()
    operator = User.objects.filter(email=f"operator@{DEMO_DOMAIN}").first()
    plan = DemoPlan(
        rng=random.Random(missing[0] if seed is None else seed),
        now=now,
        batch=f"b{missing[0]}",
        operator=operator,
        people=[],
        token=settings.OGC_TOKEN_SYMBOL,
    )
    write_users(plan, missing, password)
    progress.done("users", f"{len(plan.people)} users, their wallets planned, role {ROLE_MEMBER}")

    planned = demo_challenges.plan_challenges(
        plan, count=max(len(demo_challenges.SHAPES), users // USERS_PER_CHALLENGE)
    )
    planned |= demo_subscriptions.plan_subscriptions(plan, {p.code: p for p in Plan.objects.all()})
    for person in plan.active_people:
        plan_activity(plan, person)
    rows: list[Transaction] = []
    for person in plan.people:
        rows.extend(person.ledger.run())
        community.plan_ledger_badges(person)
        community.ledger_notices(plan, person)
    progress.done("simulated", f"{len(rows)} ledger rows replayed through the EFFECTS table")

    write_wallets(plan)
    progress.done("wallets", f"{len(plan.people)} wallets, {plan.counts['addresses']} withdrawal addresses")
    write_challenges(plan, planned)
    write_subscriptions(planned)
    progress.done(
        "challenges",
        f"{len(planned['challenges'])} challenges, {len(planned['submissions'])} submissions; "
        f"{len(planned['subscriptions'])} subscriptions",
    )
    write_ledger(rows)
    entries = journal_unjournaled_rows()
    escrows = escrows_fund_unfunded()
    progress.done("ledger", f"{len(rows)} transactions, {entries} journal entries, {escrows} prize escrows funded")
    bulk_insert(ChallengeEntry, planned["entries"])
    bulk_insert(Reward, planned["rewards"])
    bulk_insert(SubscriptionPeriod, planned["periods"])
    progress.done(
        "links",
        f"{len(planned['entries'])} entries, {len(planned['rewards'])} rewards, {len(planned['periods'])} periods",
    )
    badges = community.write_badges(plan)
    progress.done("badges", f"{len(badges)} badges held")
    proposals, votes, to_close = community.write_governance(plan)
    close_proposals(to_close, now)
    progress.done("governance", f"{len(proposals)} proposals, {len(votes)} votes, {len(to_close)} closed")
    notifications, deliveries = community.write_notifications(plan)
    progress.done("notifications", f"{len(notifications)} notifications, {len(deliveries)} deliveries")

    counts = {
        "users": len(plan.people),
        "wallets": len(plan.people),
        "wallet_addresses": plan.counts["addresses"],
        "transactions": len(rows),
        "challenges": len(planned["challenges"]),
        "submissions": len(planned["submissions"]),
        "challenge_entries": len(planned["entries"]),
        "rewards": len(planned["rewards"]),
        "subscriptions": len(planned["subscriptions"]),
        "subscription_periods": len(planned["periods"]),
        "user_badges": len(badges),
        "notifications": len(notifications),
        "notification_deliveries": len(deliveries),
        "proposals": len(proposals),
        "votes": len(votes),
    }
    write_audit_entry(plan, counts, missing, progress.elapsed)
    progress.done("done", f"{counts['users']} users, {counts['transactions']} ledger rows")
    return counts


# --- challenges, subscriptions, ledger --------------------------------------------------------------------


def write_challenges(plan: DemoPlan, planned: dict[str, list]) -> None:
    bulk_insert(Challenge, planned["challenges"])
    # In submission order, so that ids follow time (the ranking's last tie-break is the id).
    planned["submissions"].sort(key=lambda s: s.submitted_at)
    bulk_insert(Submission, planned["submissions"])


def write_subscriptions(planned: dict[str, list]) -> None:
    bulk_insert(Subscription, planned["subscriptions"])


def write_ledger(rows: list[Transaction]) -> None:
    """All ledger rows in time order (ids follow time, as on the live platform),
    with the keys and sources that embed other rows' ids."""
    types: dict[type, ContentType] = {}
    for row in rows:
        source = getattr(row, "_demo_source", None)
        if source is not None:
            model = type(source)
            types.setdefault(model, ContentType.objects.get_for_model(model))
            row.source_type, row.source_id = types[model], source.pk
        make_key = getattr(row, "_demo_key", None)
        if make_key is not None:
            row.idempotency_key = make_key()
    rows.sort(key=lambda r: r.created_at)
    bulk_insert(Transaction, rows, batch_size=2_000)


# --- governance and audit -------------------------------------------------------------------------------


def close_proposals(proposals, now) -> None:
    """Close the proposals whose vote ended through the real service (tally, quorum,
    outcome and the voters' notifications)."""
    from governance.services import proposal_close

    for proposal in proposals:
        proposal_close(proposal_id=proposal.pk, now=now)


def write_audit_entry(plan: DemoPlan, counts: dict[str, int], indices: list[int], seconds: float) -> None:
    """One entry for the whole build: bulk writes leave no per-row audit trail, and
    demo rows are not an operator's actions. It carries the command's cid."""
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=f"demo{indices[0]}..demo{indices[-1]}",
        object_repr=f"Demo data: {len(indices)} users (demo{indices[0]}..demo{indices[-1]}@{DEMO_DOMAIN})",
        action=LogEntry.Action.CREATE,
        changes={},
        changes_text="demo data at scale (seed --demo --users)",
        actor=None,
        cid=get_cid(),
        additional_data={
            "demo_build": plan.batch,
            "counts": counts,
            "first_index": indices[0],
            "last_index": indices[-1],
            "seconds": round(seconds, 2),
        },
    )
