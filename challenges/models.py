"""Challenges, their submissions and entries, the rewards they pay, and badges.

Money never moves here: entry fees and rewards are ledger rows written by
``wallets.services`` (``payment_debit``/``reward_credit``); the rows of this app
point at them (``ChallengeEntry.fee_transaction``, ``Reward.transaction``, 1-1)
so each payment is traceable and unique. All writes go through
``challenges.services``.
"""

from __future__ import annotations

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.amounts import ZERO, AmountField
from wallets.models import Transaction, Wallet


class ChallengeStatus(models.TextChoices):
    """The operator-controlled lifecycle. Whether a scheduled challenge is open is
    derived from its start and end times (``Challenge.phase``), never stored."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")
    JUDGED = "judged", _("Judged")
    ARCHIVED = "archived", _("Archived")


class ChallengePhase(models.TextChoices):
    """What a visitor sees: the stored status combined with the clock."""

    DRAFT = "draft", _("Draft")
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    JUDGED = "judged", _("Judged")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public (listed)")
    UNLISTED = "unlisted", _("Unlisted (reachable by its link)")


class FeeDestination(models.TextChoices):
    """Where a challenge's entry fees go: the platform's revenue, or the challenge's
    prize escrow (where they add to what the prizes can pay)."""

    REVENUE = "revenue", _("Platform revenue")
    ESCROW = "escrow", _("The prize escrow of this challenge")


class Challenge(models.Model):
    """A public competition with an optional entry fee and a prize pool split by rank.

    ``prize_split`` is the list of amounts paid to ranks 1, 2, ... (decimal strings);
    its sum never exceeds ``prize_pool`` (checked by the services). ``prize_paid`` is
    the running total of rewards, kept under the challenge's row lock; the database
    refuses ``prize_paid > prize_pool``, the backstop of "rewards never exceed the pool".
    """

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    rules = models.TextField(blank=True)
    category = models.CharField(max_length=40, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="A list of short labels.")
    status = models.CharField(max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    entry_fee = AmountField(default=ZERO, help_text="Paid from the wallet at a user's first submission.")
    entry_fee_to = models.CharField(
        _("entry fees go to"),
        max_length=10,
        choices=FeeDestination.choices,
        default=FeeDestination.REVENUE,
        help_text=_("Revenue, or this challenge's prize escrow (fees then add to what its prizes can pay)."),
    )
    prize_pool = AmountField(default=ZERO)
    prize_split = models.JSONField(default=list, blank=True, help_text='Amounts for ranks 1, 2, ...: ["50", "30"].')
    prize_paid = AmountField(default=ZERO, editable=False)
    max_submissions_per_user = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the challenge outlives the staff account that created it
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "challenges"
        ordering = ("-starts_at", "-id")
        permissions = [
            ("review_submission", "Can review and score submissions"),
            ("judge_challenge", "Can close and judge challenges"),
            ("award_reward", "Can pay challenge rewards"),
            ("manage_badges", "Can award and revoke badges"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="challenge_ends_after_start"),
            models.CheckConstraint(condition=Q(entry_fee__gte=0), name="challenge_entry_fee_gte_0"),
            models.CheckConstraint(condition=Q(prize_pool__gte=0), name="challenge_prize_pool_gte_0"),
            models.CheckConstraint(
                condition=Q(prize_paid__gte=0) & Q(prize_paid__lte=F("prize_pool")),
                name="challenge_prize_paid_within_pool",
            ),
            models.CheckConstraint(condition=Q(max_submissions_per_user__gte=1), name="challenge_max_subs_gte_1"),
            models.CheckConstraint(condition=Q(status__in=ChallengeStatus.values), name="challenge_status_valid"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="challenge_visibility_valid"),
            models.CheckConstraint(
                condition=Q(entry_fee_to__in=FeeDestination.values), name="challenge_entry_fee_to_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at", "ends_at"], name="idx_challenge_status_window"),
            models.Index(fields=["category", "status"], name="idx_challenge_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def phase_at(self, now) -> str:
        if self.status != ChallengeStatus.SCHEDULED:
            return self.status
        if now < self.starts_at:
            return ChallengePhase.UPCOMING
        if now >= self.ends_at:
            return ChallengePhase.CLOSED
        return ChallengePhase.OPEN

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    @property
    def is_open(self) -> bool:
        return self.phase == ChallengePhase.OPEN

    @property
    def escrow_reference(self) -> str:
        """The ledger's opaque name of this challenge's prize escrow (``escrow:challenge:<id>``)."""
        return f"challenge:{self.pk}"

    @property
    def prize_amounts(self) -> list[Decimal]:
        return [Decimal(str(value)) for value in (self.prize_split or [])]


class ChallengeEntry(models.Model):
    """A user's participation in a challenge: created at the first submission, with
    the entry-fee ledger row when the challenge charges one. Unique per
    (challenge, user), so a fee is charged at most once."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_entries")
    fee_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="challenge_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "challenge_entries"
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="uniq_entry_challenge_user")]
        verbose_name_plural = "challenge entries"

    def __str__(self) -> str:
        return f"{self.user_id} in {self.challenge_id}"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WINNER = "winner", _("Winner")


#: Submissions that count toward the per-user limit (a withdrawn one frees its slot).
ACTIVE_SUBMISSION_STATUSES = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.REJECTED,
    SubmissionStatus.WINNER,
)
#: Submissions that take part in the ranking.
RANKED_SUBMISSION_STATUSES = (SubmissionStatus.ACCEPTED, SubmissionStatus.WINNER)


class Submission(models.Model):
    """A user's entry. ``sequence`` numbers a user's submissions to one challenge
    (1, 2, ...; unique), so two racing requests cannot both take the same slot.
    ``rank`` is set by judging (ties go to the earlier submission)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    sequence = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED)
    score = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the review stays when the moderator account goes
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    submitter_ip = models.GenericIPAddressField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "submissions"
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user", "sequence"], name="uniq_submission_user_seq"),
            models.UniqueConstraint(fields=["challenge", "rank"], name="uniq_submission_challenge_rank"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="submission_sequence_gte_1"),
            models.CheckConstraint(condition=~Q(content="") | ~Q(link=""), name="submission_content_or_link"),
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="submission_score_gte_0"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="submission_rank_gte_1"),
        ]
        indexes = [
            models.Index(fields=["challenge", "status", "-score", "submitted_at"], name="idx_submission_board"),
            models.Index(fields=["status", "submitted_at"], name="idx_submission_queue"),
            models.Index(fields=["user", "-submitted_at"], name="idx_submission_user"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class Reward(models.Model):
    """A prize paid to a submission, with the ledger row that paid it.

    One per submission and one per (challenge, rank): a second payment is refused
    by the database even when two operators click at once."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="rewards")
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="reward")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="rewards")
    rank = models.PositiveIntegerField()
    amount = AmountField()
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="challenge_reward")
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # the payment record outlives the operator account
        null=True,
        blank=True,
        related_name="+",
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "rewards"
        constraints = [
            models.UniqueConstraint(fields=["challenge", "submission"], name="uniq_reward_challenge_submission"),
            models.UniqueConstraint(fields=["challenge", "rank"], name="uniq_reward_challenge_rank"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="reward_amount_gt_0"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="reward_rank_gte_1"),
        ]
        indexes = [models.Index(fields=["wallet", "awarded_at"], name="idx_reward_wallet")]

    def __str__(self) -> str:
        return f"Rank {self.rank} of {self.challenge_id}: {self.amount}"


class BadgeRule(models.TextChoices):
    """How a badge is earned. ``manual`` badges are only awarded by staff."""

    MANUAL = "manual", _("Awarded by staff")
    FIRST_SUBMISSION = "first_submission", _("First submission")
    FIRST_ACCEPTED = "first_accepted", _("First accepted submission")
    CHALLENGE_WINNER = "challenge_winner", _("Challenge winner")
    FIRST_STAKE = "first_stake", _("First stake")
    STAKER = "staker", _("Staked at least the staker threshold")


class Badge(models.Model):
    """The badge catalog. An inactive badge is no longer granted by its rule."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    icon = models.CharField(max_length=16, blank=True, help_text="An emoji or a short symbol shown with the name.")
    rule = models.CharField(max_length=30, choices=BadgeRule.choices, default=BadgeRule.MANUAL)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "badges"
        ordering = ("name",)
        constraints = [models.CheckConstraint(condition=Q(rule__in=BadgeRule.values), name="badge_rule_valid")]
        indexes = [models.Index(fields=["rule", "active"], name="idx_badge_rule")]

    def __str__(self) -> str:
        return self.name


class UserBadge(models.Model):
    """A badge held by a user, once (unique). Revocation keeps the row and records
    who revoked it, when and why; a rule never re-grants a revoked badge, staff may."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # profile decoration, not a record of money
        related_name="user_badges",
    )
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="holders")
    awarded_at = models.DateTimeField(default=timezone.now)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "user_badges"
        constraints = [
            models.UniqueConstraint(fields=["user", "badge"], name="uniq_user_badge"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="user_badge_revoke_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at", "-awarded_at"], name="idx_user_badge_shown")]

    def __str__(self) -> str:
        return f"{self.badge_id} for {self.user_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


auditlog.register(Challenge, exclude_fields=["updated_at"])
auditlog.register(ChallengeEntry)
auditlog.register(Submission, exclude_fields=["updated_at"])
auditlog.register(Reward)
auditlog.register(Badge, exclude_fields=["updated_at"])
auditlog.register(UserBadge)


class LedgerBadgeMark(models.Model):
    """How far the staking-badge reconcile (``challenges.ledger_badges``) has read the
    ledger: every completed stake row with an id up to ``last_transaction_id`` has
    been evaluated. One row per rule set (``name``); a watermark, not a record of money."""

    name = models.CharField(max_length=40, primary_key=True)
    last_transaction_id = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ledger_badge_marks"

    def __str__(self) -> str:
        return f"{self.name} at {self.last_transaction_id}"
