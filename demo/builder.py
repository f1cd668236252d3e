"""Demo data at scale: ``manage.py seed --demo --users N``.

Builds a believable platform for N demo users (``demo<i>@demo.ogc.local``,
password ``DEMO_PASSWORD``): wallets with deposits, stakes, unstakes,
withdrawals in every state and a few adjustments; challenges in every state
with entries, fees, submissions, reviews and rewards; badges; subscriptions in
every status with their periods and payments; notifications with deliveries;
proposals with stake-weighted votes. docs/seeding.md describes the choices.

How it keeps every invariant while writing in bulk:

* Each wallet's history is replayed in time order through
  ``wallets.ledger.EFFECTS`` (``demo.ledger.LedgerSim``): the rows'
  balances-after and the wallet's final balances are exactly the ledger sums,
  so ``verify_ledger`` holds by construction. Nothing is ever overdrawn.
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
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from challenges.models import Challenge, ChallengeEntry, Reward, Submission
from core.permissions import ROLE_MEMBER
from demo import challenges as demo_challenges
from demo import community
from demo import subscriptions as demo_subscriptions
from demo.bulk import Progress, bulk_insert
from demo.ledger import LedgerSim
from demo.plan import DEMO_DOMAIN, DemoPlan, Person, demo_email, digest
from subscriptions.models import Plan, Subscription, SubscriptionPeriod
from wallets.models import Chain, Direction, Transaction, TransactionKind, TransactionStatus, Wallet, WalletAddress

K, S, D = TransactionKind, TransactionStatus, Direction
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HISTORY_DAYS = 180
DORMANT_SHARE = 0.08  # accounts that signed up and never deposited
USERS_PER_CHALLENGE = 400
FIRST_NAMES = [
    "Ada", "Bo", "Chen", "Dara", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jude", "Kofi", "Lena",
    "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wen", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Berg", "Costa", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski",
    "Larsen", "Mensah", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Urban", "Varga", "Weber",
]  # fmt: skip
PLACES = [
    ("DE", "de", "Europe/Berlin"), ("GB", "en", "Europe/London"), ("US", "en", "America/New_York"),
    ("NG", "en", "Africa/Lagos"), ("IN", "en", "Asia/Kolkata"), ("BR", "pt-BR", "America/Sao_Paulo"),
    ("JP", "ja", "Asia/Tokyo"), ("FR", "fr", "Europe/Paris"), ("KE", "en", "Africa/Nairobi"), ("", "en", "UTC"),
]  # fmt: skip
DEPOSITS = [Decimal(v) for v in ("100", "250", "500", "750", "1000", "1500", "2500", "5000")]
ADJUST_REASONS = ["Goodwill credit: delayed deposit", "Refund of a duplicate entry fee", "Promotion bonus"]
REJECT_REASONS = ["address failed screening", "amount above the daily limit", "suspicious activity check"]
UNSTAKE_COOLDOWN = timedelta(hours=72)  # demo unstakes cool down like OGC_UNSTAKE_COOLDOWN_HOURS=72

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
    progress.done("ledger", f"{len(rows)} transactions")
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


# --- users and wallets ------------------------------------------------------------------------------


def write_users(plan: DemoPlan, indices: list[int], password: str) -> None:
    """Users (one password hash for all: hashing 10,000 times would take minutes),
    their member role, and their wallets planned (written once balances are known)."""
    rng, now = plan.rng, plan.now
    hashed = make_password(password)
    users: list[User] = []
    for index in indices:
        joined = now - DAY * rng.uniform(7, HISTORY_DAYS)
        country, locale, tz = PLACES[index % len(PLACES)]
        user = User(
            email=demo_email(index),
            password=hashed,
            display_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 7) % len(LAST_NAMES)]}",
            country=country,
            locale=locale,
            timezone=tz,
            date_joined=joined,
            created_at=joined,
            updated_at=joined,
            last_login=plan.moment(joined, now) if rng.random() < 0.7 else None,
        )
        wallet = Wallet(
            user=user,
            token_symbol=settings.OGC_TOKEN_SYMBOL,
            deposit_address="0x" + digest("wallet", index, length=40),
            created_at=joined,
            updated_at=joined,
        )
        funded = joined + HOUR * rng.uniform(0.2, 48) if rng.random() >= DORMANT_SHARE else None
        users.append(user)
        plan.people.append(
            Person(index, user, wallet, LedgerSim(wallet=wallet, user=user, now=now), joined=joined, funded_at=funded)
        )
    bulk_insert(User, users)
    member = Group.objects.get(name=ROLE_MEMBER)
    through = User.groups.through
    bulk_insert(through, [through(user_id=u.pk, group_id=member.pk) for u in users], batch_size=5_000)


def plan_activity(plan: DemoPlan, person: Person) -> None:
    """The user's own operations around the fixed ones the challenges and
    subscriptions planned: a first deposit that covers every fixed debit, more
    deposits, stakes, unstakes, withdrawal requests (approved, rejected, canceled
    or pending) and the odd operator adjustment."""
    rng, now, ledger = plan.rng, plan.now, person.ledger
    start = person.funded_at
    first = max(rng.choice(DEPOSITS), ledger.reserve + rng.choice(DEPOSITS[:4]))
    _deposit(plan, person, start, first)
    for _ in range(rng.randint(2, 5)):
        _deposit(plan, person, plan.moment(start, now), rng.choice(DEPOSITS[:6]))
    stakes = rng.randint(0, 5)
    for _ in range(stakes):
        at = plan.moment(start, now)
        ledger.spend(at, kind=K.STAKE, share=Decimal(rng.randint(15, 60)) / 100, **_own(person))
    for _ in range(rng.randint(0, 3) if stakes else 0):
        at = _when(plan, start)
        ledger.spend(
            at,
            kind=K.UNSTAKE,
            share=Decimal(rng.randint(20, 80)) / 100,
            settle=lambda row: (row.created_at + UNSTAKE_COOLDOWN, S.COMPLETED, {}),
            available_at=at + UNSTAKE_COOLDOWN,
            **_own(person),
        )
    withdrawals = rng.randint(1, 3) if rng.random() < 0.6 else 0
    if withdrawals:
        address = _address(plan, person)
        for _ in range(withdrawals):
            ledger.spend(
                _when(plan, start),
                kind=K.WITHDRAWAL,
                share=Decimal(rng.randint(10, 50)) / 100,
                settle=lambda row: _settle_withdrawal(plan, person, row),
                chain=address.chain,
                destination_address=address.address,
                **_own(person),
            )
    roll = rng.random()
    if roll < 0.02:
        amount = Decimal(rng.choice([10, 25, 50]))
        ledger.fixed(
            plan.moment(start, now),
            kind=K.ADJUSTMENT,
            direction=D.CREDIT,
            amount=amount,
            actor=plan.operator,
            memo=rng.choice(ADJUST_REASONS),
            idempotency_key=person.next_key(),
        )
    elif roll < 0.035:
        ledger.spend(
            plan.moment(start, now),
            kind=K.ADJUSTMENT,
            direction=D.DEBIT,
            share=Decimal("0.05"),
            actor=plan.operator,
            memo="Reversal of a deposit credited twice",
            idempotency_key=person.next_key(),
        )


def _when(plan: DemoPlan, start):
    """A moment of the user's history; one in ten in the last two days, so that some
    requests are still pending (withdrawals awaiting an operator, unstakes cooling down)."""
    if plan.rng.random() < 0.1:
        return plan.moment(max(start, plan.now - 2 * DAY), plan.now - timedelta(minutes=5))
    return plan.moment(start, plan.now)


def _own(person: Person) -> dict:
    """Fields of a row the user asked for through the API (actor, Idempotency-Key)."""
    return {"actor": person.user, "idempotency_key": person.next_key()}


def _deposit(plan: DemoPlan, person: Person, at, amount: Decimal) -> None:
    person.row_counter += 1
    person.ledger.fixed(
        at,
        kind=K.DEPOSIT,
        direction=D.CREDIT,
        amount=amount,
        actor=plan.operator,
        external_reference="0x" + digest("deposit", person.index, person.row_counter),
    )


def _address(plan: DemoPlan, person: Person) -> WalletAddress:
    from eth_utils import to_checksum_address

    at = plan.moment(person.funded_at, person.funded_at + DAY)
    person.address = WalletAddress(
        wallet=person.wallet,
        chain=plan.rng.choice([Chain.ETHEREUM, Chain.ETHEREUM, Chain.POLYGON, Chain.ARBITRUM, Chain.BASE]),
        address=to_checksum_address("0x" + digest("address", person.index, length=40)),
        label="My wallet",
        created_at=at,
    )
    return person.address


def _settle_withdrawal(plan: DemoPlan, person: Person, row: Transaction):
    """How an operator (or the owner) ended the request; None: still pending."""
    rng = plan.rng
    if row.created_at > plan.now - 2 * DAY and rng.random() < 0.7:
        return None
    when = row.created_at + HOUR * rng.uniform(1, 36)
    roll = rng.random()
    if roll < 0.74:
        ref = "0x" + digest("withdrawal", person.index, row.idempotency_key)
        return when, S.COMPLETED, {"external_reference": ref}
    if roll < 0.87:
        return when, S.CANCELED, {"status_reason": f"Rejected: {rng.choice(REJECT_REASONS)}"}
    return when, S.CANCELED, {"status_reason": "Canceled by the owner."}


def write_wallets(plan: DemoPlan) -> None:
    wallets: list[Wallet] = []
    addresses: list[WalletAddress] = []
    for person in plan.people:
        wallet, ledger = person.wallet, person.ledger
        wallet.available, wallet.staked, wallet.held = ledger.available, ledger.staked, ledger.held
        wallet.updated_at = ledger.last_change or wallet.created_at
        wallets.append(wallet)
        if person.address is not None:
            addresses.append(person.address)
    bulk_insert(Wallet, wallets)
    bulk_insert(WalletAddress, addresses)
    plan.counts["addresses"] = len(addresses)


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
