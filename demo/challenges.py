"""Demo challenges in every state, with entries, submissions, reviews and rewards.

Mirrors ``challenges.services``: the first submission of a user to a challenge
with a fee pays it (a ``payment`` row, key ``entry-fee:<challenge>:<user>:1``,
linked from the ``ChallengeEntry``); moderators review (accepted with a score,
or rejected); judging ranks the accepted submissions by score, ties to the
earlier one; paying a judged challenge writes one ``reward`` row per prize rank
(key ``reward:<challenge>:<submission>``), its ``Reward``, the ``winner``
status and ``prize_paid``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from challenges.models import (
    BadgeRule,
    Challenge,
    ChallengeEntry,
    ChallengeStatus,
    Reward,
    Submission,
    SubmissionStatus,
    Visibility,
)
from demo.plan import DemoPlan, Notice, Person
from wallets.models import Direction, TransactionKind

CS, SS, K, D = ChallengeStatus, SubmissionStatus, TransactionKind, Direction
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# The lifecycle a challenge is shown in; one challenge of each per cycle, more
# challenges (one per ~400 users) repeat the cycle with other dates.
SHAPES = ("archived", "paid", "paid", "judged", "closed", "open", "open", "upcoming", "draft")
TOPICS = [
    ("logo", "design", "Design a logo for the OGC community"),
    ("bot", "code", "Build a Discord bot that shows staking stats"),
    ("essay", "writing", "Why token governance matters"),
    ("clip", "video", "A 60-second explainer of staking"),
    ("meetup", "community", "Organise a local OGC meetup"),
    ("dashboard", "code", "A public dashboard of OGC rewards"),
    ("poster", "design", "A poster for the season finals"),
    ("guide", "writing", "A beginner's guide to the OGC wallet"),
]
ADJECTIVES = ["Bold", "Quiet", "Bright", "Clever", "Simple", "Fresh", "Neat", "Swift", "Warm", "Lucid"]
NOUNS = ["idea", "take", "draft", "concept", "attempt", "vision", "sketch", "build", "story", "entry"]
FEES = [Decimal("0"), Decimal("0"), Decimal("5"), Decimal("10"), Decimal("25")]
POOLS = [
    (Decimal("1000"), ["500", "300", "200"]),
    (Decimal("2500"), ["1200", "700", "400", "200"]),
    (Decimal("600"), ["300", "200", "100"]),
    (Decimal("5000"), ["2500", "1500", "600"]),
]


def _window(plan: DemoPlan, shape: str) -> tuple[datetime, datetime]:
    now, rng = plan.now, plan.rng
    length = DAY * rng.randint(10, 28)
    if shape == "archived":
        ends = now - DAY * rng.uniform(70, 140)
    elif shape == "paid":
        ends = now - DAY * rng.uniform(10, 60)
    elif shape == "judged":
        ends = now - DAY * rng.uniform(4, 8)
    elif shape == "closed":
        ends = now - HOUR * rng.uniform(2, 60)
    elif shape == "open":
        starts = now - DAY * rng.uniform(1, 12)
        return starts, max(starts + length, now + DAY * rng.uniform(2, 15))
    else:  # upcoming, draft
        starts = now + DAY * rng.uniform(3 if shape == "upcoming" else 15, 30)
        return starts, starts + length
    return ends - length, ends


def _status(shape: str) -> str:
    return {
        "archived": CS.ARCHIVED,
        "paid": CS.JUDGED,
        "judged": CS.JUDGED,
        "closed": CS.CLOSED,
        "open": CS.SCHEDULED,
        "upcoming": CS.SCHEDULED,
        "draft": CS.DRAFT,
    }[shape]


def plan_challenges(plan: DemoPlan, *, count: int) -> dict[str, list]:
    out: dict[str, list] = {"challenges": [], "submissions": [], "entries": [], "rewards": []}
    rng = plan.rng
    for number in range(count):
        shape = SHAPES[number % len(SHAPES)]
        key, category, title = TOPICS[number % len(TOPICS)]
        starts, ends = _window(plan, shape)
        pool, split = rng.choice(POOLS)
        challenge = Challenge(
            slug=f"demo-{plan.batch}-{number + 1}-{key}",
            title=f"{title} #{number + 1}",
            description=f"{title}. A demo challenge: entries are judged on originality and clarity.",
            rules="One entry per person unless stated otherwise. Be original; credit your sources.",
            category=category,
            tags=[category, "demo", "season-1" if number < count // 2 else "season-2"],
            status=_status(shape),
            visibility=Visibility.UNLISTED if number % 11 == 10 else Visibility.PUBLIC,
            starts_at=starts,
            ends_at=ends,
            entry_fee=rng.choice(FEES),
            prize_pool=pool,
            prize_split=split,
            max_submissions_per_user=rng.choice([1, 1, 2, 3]),
            created_by=plan.operator,
            created_at=starts - DAY * rng.uniform(3, 10),
        )
        challenge.updated_at = challenge.created_at
        if challenge.status in (CS.CLOSED, CS.JUDGED, CS.ARCHIVED):
            challenge.closed_at = ends + timedelta(minutes=rng.uniform(1, 15))  # the expiry job
            challenge.updated_at = challenge.closed_at
        if challenge.status in (CS.JUDGED, CS.ARCHIVED):
            challenge.judged_at = min(ends + DAY * rng.uniform(1, 3), plan.now - HOUR)
            challenge.updated_at = challenge.judged_at
        out["challenges"].append(challenge)
        if shape not in ("upcoming", "draft"):
            _plan_entries(plan, challenge, shape, out)
    return out


def _plan_entries(plan: DemoPlan, challenge: Challenge, shape: str, out: dict[str, list]) -> None:
    rng, now = plan.rng, plan.now
    last_submit = min(challenge.ends_at, now) - HOUR
    eligible = [p for p in plan.active_people if p.funded_at + HOUR < last_submit]
    wanted = max(4, int(len(plan.people) * rng.uniform(0.03, 0.06)))
    entrants = rng.sample(eligible, min(wanted, len(eligible)))
    review_until = (challenge.judged_at - HOUR) if challenge.judged_at else now
    submissions: list[Submission] = []
    for person in entrants:
        first_at = plan.moment(max(challenge.starts_at, person.funded_at + HOUR), last_submit)
        n = 1 if challenge.max_submissions_per_user == 1 or rng.random() < 0.7 else 2
        times = sorted([first_at] + [plan.moment(first_at, last_submit) for _ in range(n - 1)])
        for sequence, at in enumerate(times, start=1):
            submissions.append(_submission(plan, challenge, person, sequence, at, shape, review_until))
        _entry(plan, challenge, person, times[0], out)
    _ensure_accepted(plan, submissions, review_until, minimum=len(challenge.prize_split) + 1)
    if challenge.status in (CS.JUDGED, CS.ARCHIVED):
        _judge(plan, challenge, submissions, pay=shape in ("archived", "paid"), out=out)
    for submission in submissions:
        _review_notice(plan, challenge, submission)
    out["submissions"].extend(submissions)


def _submission(plan, challenge, person: Person, sequence, at, shape, review_until) -> Submission:
    rng = plan.rng
    roll = rng.random()
    if shape == "open":
        status = SS.SUBMITTED if roll < 0.55 else SS.ACCEPTED if roll < 0.8 else SS.REJECTED if roll < 0.9 else None
    elif shape == "closed":
        status = SS.SUBMITTED if roll < 0.3 else SS.ACCEPTED if roll < 0.75 else SS.REJECTED if roll < 0.9 else None
    else:
        status = SS.ACCEPTED if roll < 0.65 else SS.REJECTED if roll < 0.9 else None
    title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    submission = Submission(
        challenge=challenge,
        user=person.user,
        sequence=sequence,
        title=title,
        content=f"{title}: my entry for “{challenge.title}”. Notes, sources and a short description.",
        link=f"https://example.com/demo/{plan.batch}/{person.index}/{sequence}" if rng.random() < 0.4 else "",
        status=SS.SUBMITTED,
        submitted_at=at,
        submitter_ip=f"203.0.113.{person.index % 250 + 1}",
        updated_at=at,
    )
    person.badge(BadgeRule.FIRST_SUBMISSION, at, submission, f"First submission: {challenge.title}")
    if status is None:  # withdrawn by its author before the deadline
        submission.status = SS.WITHDRAWN
        submission.withdrawn_at = plan.moment(at, min(challenge.ends_at, plan.now, at + 2 * DAY))
        submission.updated_at = submission.withdrawn_at
    elif status != SS.SUBMITTED:
        _review(plan, submission, status, review_until)
    submission._demo_person = person
    return submission


def _review(plan: DemoPlan, submission: Submission, status: str, review_until: datetime) -> None:
    rng = plan.rng
    submission.status = status
    submission.reviewer = plan.operator
    submission.reviewed_at = min(submission.submitted_at + HOUR * rng.uniform(1, 48), review_until)
    if submission.reviewed_at <= submission.submitted_at:
        submission.reviewed_at = submission.submitted_at + timedelta(seconds=30)
    submission.updated_at = submission.reviewed_at
    if status == SS.ACCEPTED:
        submission.score = Decimal(rng.randint(3000, 9999)) / 100
        submission.review_note = rng.choice(["", "Well done.", "Clear and original.", "Nice work on the details."])
    else:
        submission.review_note = rng.choice(["Off topic.", "Missing the required link.", "Does not follow the rules."])


def _ensure_accepted(plan: DemoPlan, submissions: list[Submission], review_until: datetime, *, minimum: int) -> None:
    """Enough accepted entries for every prize rank (and one more) where judging happens."""
    accepted = sum(1 for s in submissions if s.status == SS.ACCEPTED)
    for submission in submissions:
        if accepted >= minimum:
            return
        if submission.status == SS.REJECTED:
            _review(plan, submission, SS.ACCEPTED, review_until)
            accepted += 1


def _entry(plan: DemoPlan, challenge: Challenge, person: Person, at: datetime, out) -> None:
    fee_row = None
    if challenge.entry_fee > 0:
        fee_row = person.ledger.fixed(
            at,
            kind=K.PAYMENT,
            direction=D.DEBIT,
            amount=challenge.entry_fee,
            actor=person.user,
            memo=f"Entry fee: {challenge.title}",
        )
        fee_row._demo_source = challenge
        fee_row._demo_key = lambda c=challenge, u=person.user: f"entry-fee:{c.pk}:{u.pk}:1"
        person.notices.append(
            Notice(
                at,
                "payment_debited",
                "Entry fee paid",
                f"{plan.amount_text(challenge.entry_fee)} were debited for entering “{challenge.title}”.",
                lambda c=challenge, r=fee_row: {"challenge": c.slug, "transaction_id": r.pk, "amount": str(r.amount)},
                lambda r=fee_row: f"ledger:{r.pk}:completed",
            )
        )
    out["entries"].append(ChallengeEntry(challenge=challenge, user=person.user, fee_transaction=fee_row, created_at=at))


def _judge(plan: DemoPlan, challenge: Challenge, submissions: list[Submission], *, pay: bool, out) -> None:
    ranked = sorted(
        (s for s in submissions if s.status == SS.ACCEPTED and s.score is not None),
        key=lambda s: (-s.score, s.submitted_at),
    )
    for rank, submission in enumerate(ranked, start=1):
        submission.rank = rank
    if not pay:
        return
    prizes = challenge.prize_amounts
    awarded_at = challenge.judged_at + HOUR * plan.rng.uniform(0.5, 3)
    awarded_at = min(awarded_at, plan.now - timedelta(minutes=5))
    for submission in ranked[: len(prizes)]:
        person: Person = submission._demo_person
        amount = prizes[submission.rank - 1]
        row = person.ledger.fixed(
            awarded_at,
            kind=K.REWARD,
            direction=D.CREDIT,
            amount=amount,
            actor=plan.operator,
            memo=f"Rank {submission.rank} in {challenge.title}",
        )
        row._demo_source = submission
        row._demo_key = lambda c=challenge, s=submission: f"reward:{c.pk}:{s.pk}"
        reward = Reward(
            challenge=challenge,
            submission=submission,
            wallet=person.wallet,
            rank=submission.rank,
            amount=amount,
            transaction=row,
            awarded_by=plan.operator,
            awarded_at=awarded_at,
        )
        submission.status = SS.WINNER
        submission.updated_at = awarded_at
        challenge.prize_paid += amount
        out["rewards"].append(reward)
        person.badge(BadgeRule.CHALLENGE_WINNER, awarded_at, reward, f"Rank {submission.rank} in {challenge.title}")
        person.notices.append(
            Notice(
                awarded_at,
                "reward_paid",
                f"You won rank {submission.rank} in {challenge.title}",
                f"{plan.amount_text(amount)} were credited to your wallet.",
                lambda c=challenge, s=submission, r=row: {
                    "challenge": c.slug,
                    "rank": s.rank,
                    "amount": str(r.amount),
                    "transaction_id": r.pk,
                },
                lambda rw=reward: f"reward:{rw.pk}",
            )
        )


def _review_notice(plan: DemoPlan, challenge: Challenge, submission: Submission) -> None:
    if submission.reviewed_at is None:
        return
    person: Person = submission._demo_person
    decision = SS.ACCEPTED if submission.score is not None else SS.REJECTED
    if decision == SS.ACCEPTED:
        person.badge(BadgeRule.FIRST_ACCEPTED, submission.reviewed_at, submission, f"Accepted in {challenge.title}")
    verdict = f"accepted with a score of {submission.score.normalize():f}" if submission.score else "rejected"
    person.notices.append(
        Notice(
            submission.reviewed_at,
            "submission_reviewed",
            f"Submission {decision}",
            f"Your submission “{submission.title}” to “{challenge.title}” was {verdict}."
            + (f" {submission.review_note}" if submission.review_note else ""),
            lambda s=submission, d=decision: {
                "challenge": challenge.slug,
                "submission_id": s.pk,
                "status": d,
                "score": str(s.score) if s.score is not None else None,
            },
            lambda s=submission: f"review:{s.pk}:{s.reviewed_at.isoformat()}",
        )
    )
