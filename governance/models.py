"""Governance: operator accounts (``Admin``) and stake-weighted proposals.

``Admin`` is a proxy of the user model restricted to staff; it exists so operator
accounts have their own admin page. The audit log itself is django-auditlog's
``LogEntry`` (exposed read-only by this app's API and admin).

A ``Proposal`` is voted on with the voter's *staked* balance at the proposal's
``snapshot_at`` (reconstructed from the ledger, see ``governance.selectors``), one
``Vote`` per (proposal, voter). Closing stores the tally, the quorum verdict and the
outcome on the proposal.
"""

from __future__ import annotations

from typing import ClassVar

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User, UserManager
from core.amounts import AmountField

DEFAULT_CHOICES = ["for", "against", "abstain"]
ABSTAIN = "abstain"
#: How the default choices read on pages and in notifications; choices an author
#: writes are shown as written.
DEFAULT_CHOICE_LABELS = {"for": _("For"), "against": _("Against"), "abstain": _("Abstain")}


def choice_label(choice: str) -> str:
    """A proposal's choice as members read it (the stored choice is a lower-case key)."""
    label = DEFAULT_CHOICE_LABELS.get(choice)
    return str(label) if label is not None else choice.capitalize()


class AdminManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(is_staff=True)


class Admin(User):
    """A staff account (operator, moderator, auditor, superuser), same ``users`` row."""

    objects: ClassVar[AdminManager] = AdminManager()

    class Meta:
        proxy = True
        verbose_name = "admin account"
        verbose_name_plural = "admin accounts"

    def save(self, *args, **kwargs) -> None:
        # Created on this page means created as staff; disabling is ``is_active``.
        if self._state.adding:
            self.is_staff = True
        super().save(*args, **kwargs)


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    CANCELED = "canceled", _("Canceled")


class ProposalOutcome(models.TextChoices):
    """Stored after closing. ``winner`` names the winning choice in ``winning_choice``."""

    PENDING = "", _("Not decided")
    WINNER = "winner", _("A choice won")
    TIE = "tie", _("Tie")
    NO_QUORUM = "no_quorum", _("Quorum not met")


class Proposal(models.Model):
    """A stake-weighted community decision.

    Voting is open while ``status == active`` and ``voting_starts_at <= now <
    voting_ends_at``. ``snapshot_at`` equals ``voting_starts_at``: stake must be in
    place before voting opens; later stake does not count and later unstakes do not
    reduce a vote. ``quorum_share`` (a fraction of all tokens staked at the snapshot)
    is copied from ``OGC_PROPOSAL_QUORUM_SHARE`` at creation so changing the setting
    never changes a running vote.
    """

    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # a proposal is a public record: the author's account cannot vanish under it
        related_name="proposals",
    )
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    choices = models.JSONField(default=list, help_text="Choice keys, e.g. for/against/abstain.")
    voting_starts_at = models.DateTimeField()
    voting_ends_at = models.DateTimeField()
    snapshot_at = models.DateTimeField(help_text="Vote weight = staked balance at this instant.")
    quorum_share = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="Share of all staked tokens (at the snapshot) that must vote."
    )
    # Results, written once by proposal_close.
    tally = models.JSONField(default=dict, blank=True, help_text="Weight per choice (decimal strings).")
    total_weight = AmountField(null=True, blank=True)
    total_staked_at_snapshot = AmountField(null=True, blank=True)
    quorum_met = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=ProposalOutcome.choices, default=ProposalOutcome.PENDING, blank=True
    )
    winning_choice = models.CharField(max_length=40, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "proposals"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_ends_at__gt=models.F("voting_starts_at")), name="proposal_window_valid"
            ),
            models.CheckConstraint(
                condition=Q(snapshot_at__lte=models.F("voting_starts_at")), name="proposal_snapshot_before_start"
            ),
            models.CheckConstraint(
                condition=Q(quorum_share__gte=0) & Q(quorum_share__lte=1), name="proposal_quorum_share_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & Q(quorum_met__isnull=False)),
                name="proposal_closed_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "voting_ends_at"], name="idx_proposal_status_end"),
            models.Index(fields=["author", "created_at"], name="idx_proposal_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, moment) -> bool:
        return self.status == ProposalStatus.ACTIVE and self.voting_starts_at <= moment < self.voting_ends_at


class Vote(models.Model):
    """One voter's choice on one proposal; changeable while the proposal is open.
    ``weight`` is the voter's staked balance at the proposal's snapshot (fixed once the
    snapshot is past, so storing it at cast time is exact)."""

    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,  # votes are part of a result; proposals with votes are never deleted
        related_name="votes",
    )
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=40)
    weight = AmountField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "votes"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="uniq_vote_proposal_voter"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="vote_weight_gt_0"),
        ]
        indexes = [models.Index(fields=["proposal", "choice"], name="idx_vote_proposal_choice")]

    def __str__(self) -> str:
        return f"{self.voter_id} -> {self.choice} on {self.proposal_id}"


# Saves through the proxy send signals with sender=Admin: the wallets app connects its
# wallet receiver to every proxy of the user model; auditlog files them under User.
auditlog.register(Admin, exclude_fields=["password", "last_login", "updated_at"])
auditlog.register(Proposal, exclude_fields=["updated_at"])
auditlog.register(Vote, exclude_fields=["updated_at"])
