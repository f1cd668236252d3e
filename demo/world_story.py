"""What the demo world of ``seed --demo`` holds, as data: its members, their money, the
challenges with their entries, the proposals with their votes and the subscriptions.
``demo.world`` writes it through the services, in the order it would have happened."""

from __future__ import annotations

from dataclasses import dataclass

#: The members of the world (``seed`` creates them with the demo password).
MEMBERS = ("alice", "bob", "carol", "dave", "erin", "frank")

# --- wallets ----------------------------------------------------------------------------------

#: name -> (deposit credited by the operator, stake). Frank stays short on purpose: his
#: subscription renewal fails (past due).
FUNDING = {
    "alice": ("2500", "1200"),
    "bob": ("1000", "300"),
    "carol": ("800", "400"),
    "dave": ("1500", "1200"),
    "erin": ("600", "150"),
    "frank": ("120", "100"),
}
UNSTAKES = {"dave": "200"}
#: name -> withdrawal amount and what the operator did ("" = still pending).
WITHDRAWALS = {
    "bob": ("150", ""),
    "carol": ("75", ""),
    "dave": ("250", "approve"),
    "erin": ("400", "reject"),
}
ADJUSTMENT = ("erin", "25", "Goodwill credit: deposit delayed by the bridge")

# --- challenges -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    member: str
    days_ago: float  # submitted this long before the build
    title: str
    review: str | None = None  # None: awaits review; "accepted" (with score) or "rejected"
    score: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ChallengeSpec:
    slug: str
    title: str
    description: str
    category: str
    starts_in: float  # days from the build (negative: in the past)
    ends_in: float
    entry_fee: str
    prize_pool: str
    prize_split: tuple[str, ...]
    after: str  # "open" | "upcoming" | "judged" (and paid) | "closed" (awaiting judging)
    entries: tuple[Entry, ...] = ()


CHALLENGES = (
    ChallengeSpec(
        slug="onboarding-guide",
        title="Write the community onboarding guide",
        description="A friendly guide for a member's first week: wallet, staking, challenges and votes.",
        category="writing",
        starts_in=-30,
        ends_in=-3,
        entry_fee="0",
        prize_pool="600",
        prize_split=("300", "200", "100"),
        after="judged",
        entries=(
            Entry("alice", 25, "Your first week on OGC, day by day", "accepted", "92"),
            Entry("bob", 20, "OGC in ten questions", "accepted", "78"),
            Entry("carol", 15, "A map of the platform", "accepted", "85.5"),
            Entry("erin", 10, "Token price predictions", "rejected", note="Off topic: the guide is about using OGC."),
        ),
    ),
    ChallengeSpec(
        slug="wallet-help-translations",
        title="Translate the wallet help pages",
        description="Translate the wallet help pages into your language; native speakers review each entry.",
        category="translation",
        starts_in=-21,
        ends_in=-1,
        entry_fee="5",
        prize_pool="400",
        prize_split=("250", "150"),
        after="closed",
        entries=(
            Entry("dave", 18, "Wallet help in German", "accepted", "88"),
            Entry("frank", 9, "Wallet help in Portuguese"),
            Entry("alice", 6, "Wallet help in French"),
        ),
    ),
    ChallengeSpec(
        slug="wallet-onboarding-design",
        title="Design the wallet's first-run screen",
        description="Show a new member what their wallet holds and how tokens arrive, on one screen.",
        category="design",
        starts_in=-5,
        ends_in=9,
        entry_fee="10",
        prize_pool="1000",
        prize_split=("500", "300", "200"),
        after="open",
        entries=(
            Entry("bob", 4, "Three cards and a checklist", "accepted", "81"),
            Entry("carol", 3, "A guided tour in four steps"),
            Entry("dave", 1, "Balance first, actions second"),
        ),
    ),
    ChallengeSpec(
        slug="staking-explainer",
        title="Explain staking in 300 words",
        description="What staking is, why it gives voting power, and how the cool-down works.",
        category="writing",
        starts_in=4,
        ends_in=18,
        entry_fee="0",
        prize_pool="300",
        prize_split=("200", "100"),
        after="upcoming",
    ),
)
#: The world exists when this challenge does (it is the first one created).
MARKER_SLUG = CHALLENGES[0].slug

# --- governance -------------------------------------------------------------------------------

#: (author, title, body, votes {member: choice}, closed?, voting length in days)
PROPOSALS = (
    (
        "alice",
        "Fund a design challenge every month from the treasury",
        "One design challenge a month with a 1,000 OGC pool, paid from the treasury.",
        {"alice": "for", "bob": "for", "carol": "against", "dave": "for", "erin": "abstain"},
        True,
        7,
    ),
    (
        "dave",
        "Add a video category to the challenges",
        "Let challenges accept video entries (a link to a hosted video), with the same review rules.",
        {"bob": "for", "carol": "against", "dave": "for", "erin": "for", "frank": "abstain"},
        False,
        4,
    ),
)
#: How far back the closed proposal's voting ended.
CLOSED_PROPOSAL_ENDED_DAYS_AGO = 3

# --- subscriptions ----------------------------------------------------------------------------

#: name -> (days ago the member subscribed to Pro (7-day trial), auto-renew, then cancel at period end?)
#: alice: trial ended 3 days ago, renewed and paid -> active; bob: in his trial -> trialing;
#: carol: renewed, then canceled at the period end; frank: the renewal found his wallet
#: short -> past due (inside the grace period); erin: auto-renew off -> expired.
SUBSCRIPTIONS = {
    "alice": (10, True, False),
    "bob": (2, True, False),
    "carol": (12, True, True),
    "frank": (8, True, False),
    "erin": (40, False, False),
}
PLAN = "pro"
