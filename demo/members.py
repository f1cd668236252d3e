"""Demo members for ``demo.builder``: the users with their member role, their wallets
and withdrawal addresses, and each one's own wallet activity (deposits, stakes,
unstakes, withdrawal requests in every state, the odd operator adjustment), planned
around the fixed debits the challenges and subscriptions plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User
from core.permissions import ROLE_MEMBER
from demo.bulk import bulk_insert
from demo.ledger import LedgerSim
from demo.plan import DemoPlan, Person, demo_email, digest
from wallets.models import Chain, Direction, Transaction, TransactionKind, TransactionStatus, Wallet, WalletAddress

K, S, D = TransactionKind, TransactionStatus, Direction
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HISTORY_DAYS = 180
DORMANT_SHARE = 0.08  # accounts that signed up and never deposited
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
        # History: confirmed from the emailed link when added, long past its cool-down.
        verified_at=at,
        usable_from=at,
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
