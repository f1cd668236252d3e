"""Wallets, withdrawal addresses and the append-only ledger.

Amounts are DECIMAL(36, 18) (``core.amounts``): 18 fractional digits (the on-chain precision)
and up to 10^18 whole tokens; never floats. Balances change only in
``wallets.services`` under a row lock, each change explained by ledger rows.
"""

from __future__ import annotations

import secrets
from decimal import Decimal, localcontext

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.amounts import EXACT, ZERO, AmountField
from wallets.managers import TransactionQuerySet, row_state


def generate_deposit_address() -> str:
    """A fresh EVM-style deposit address (0x + 40 lower-case hex digits)."""
    return "0x" + secrets.token_hex(20)


class Wallet(models.Model):
    """A user's OGC balances. ``available`` can be spent; ``staked`` is locked in
    staking; ``held`` is reserved by pending withdrawals and cooling-down unstakes.
    Changed only by ``wallets.services`` under a row lock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # a wallet with a ledger is never deleted with its user
        related_name="wallet",
    )
    token_symbol = models.CharField(max_length=10, default="OGC")
    available = AmountField(default=ZERO)
    staked = AmountField(default=ZERO)
    held = AmountField(default=ZERO)
    deposit_address = models.CharField(max_length=42, unique=True, default=generate_deposit_address)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "wallets"
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="wallet_available_gte_0"),
            models.CheckConstraint(condition=Q(staked__gte=0), name="wallet_staked_gte_0"),
            models.CheckConstraint(condition=Q(held__gte=0), name="wallet_held_gte_0"),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.user_id} ({self.deposit_address})"

    @property
    def total(self) -> Decimal:
        with localcontext(EXACT):  # the default 28 digits would round a large wallet
            return self.available + self.staked + self.held


class Chain(models.TextChoices):
    """EVM chains we accept withdrawal addresses for (all use 0x + 40 hex, EIP-55)."""

    ETHEREUM = "ethereum", "Ethereum"
    POLYGON = "polygon", "Polygon"
    ARBITRUM = "arbitrum", "Arbitrum One"
    BASE = "base", "Base"
    BSC = "bsc", "BNB Smart Chain"


class WalletAddress(models.Model):
    """An external address a user registered for withdrawals. Stored in EIP-55
    checksum form, unique per chain. Usable for a withdrawal once the member confirmed
    it from the link emailed to them (``verified_at``) and its cool-down ended
    (``usable_from``): a stolen session alone cannot send money to a new address."""

    wallet = models.ForeignKey(
        Wallet,
        on_delete=models.CASCADE,  # address book entries belong to the wallet (itself PROTECTed)
        related_name="addresses",
    )
    chain = models.CharField(max_length=20, choices=Chain.choices, default=Chain.ETHEREUM)
    address = models.CharField(max_length=42)
    label = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member confirmed the address from the link emailed to them."
    )
    usable_from = models.DateTimeField(
        null=True, blank=True, help_text="The end of the new-address cool-down (OGC_NEW_ADDRESS_COOLDOWN_HOURS)."
    )

    class Meta:
        db_table = "wallet_addresses"
        verbose_name_plural = "wallet addresses"
        constraints = [
            models.UniqueConstraint(fields=["chain", "address"], name="uniq_wallet_address_chain_address"),
        ]
        indexes = [models.Index(fields=["wallet", "created_at"], name="idx_wallet_addresses_wallet")]

    def __str__(self) -> str:
        return f"{self.chain}:{self.address}"

    def state(self, now=None) -> str:
        """``unconfirmed``, ``cooling_down`` or ``ready`` (``AddressState``)."""
        if self.verified_at is None:
            return AddressState.UNCONFIRMED
        if self.usable_from is not None and self.usable_from > (now or timezone.now()):
            return AddressState.COOLING_DOWN
        return AddressState.READY

    def state_label(self) -> str:
        return str(AddressState(self.state()).label)


class AddressState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Waiting for confirmation from the emailed link")
    COOLING_DOWN = "cooling_down", _("Confirmed; usable after the waiting period")
    READY = "ready", _("Ready for withdrawals")


class TransactionKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    STAKE = "stake", _("Stake")
    UNSTAKE = "unstake", _("Unstake")
    REWARD = "reward", _("Reward")
    PAYMENT = "payment", _("Payment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer sent")
    TRANSFER_IN = "transfer_in", _("Transfer received")
    # A hold for a service a member asked for (pending), and the charge at its actual
    # cost when it settles (services/holds.py). Generic: the ledger knows no service.
    SERVICE_HOLD = "service_hold", _("Service hold")
    SERVICE_CHARGE = "service_charge", _("Service charge")


class SystemEntryKind(models.TextChoices):
    """Kinds of the entries between system accounts only (no member row): a challenge's
    prize escrow funded from the treasury, and returned to it."""

    ESCROW_FUND = "escrow_fund", _("Escrow funding")
    ESCROW_RELEASE = "escrow_release", _("Escrow release")


class TransactionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class Direction(models.TextChoices):
    """Effect on the wallet's total (available + staked + held)."""

    CREDIT = "credit", _("Credit")
    DEBIT = "debit", _("Debit")
    INTERNAL = "internal", _("Internal move")


class Transaction(models.Model):
    """One append-only ledger row: written once, never updated or deleted (database
    triggers, migration 0012).

    ``status`` is the status the row was WRITTEN with. A row written ``pending`` (a
    withdrawal request, an unstake with a cool-down) settles by a new journal entry
    linked to its pending entry (``JournalEntry.pending_entry``); its current state,
    and when, why and with which payout hash it settled, are derived from that entry
    (``Transaction.objects.with_state()``: ``state``, ``state_at``, ``state_reason``,
    ``state_reference``). Rows settled in place before ledger v2 (and the demo's bulk
    history) carry their final status in the column. Corrections are new
    ``adjustment`` rows. How each (kind, state) moves the three balances is
    ``wallets.ledger.EFFECTS``; the wallet's balances always equal the sum of those
    effects over its rows.
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="transactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    status = models.CharField(max_length=20, choices=TransactionStatus.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    amount = AmountField()
    available_after = AmountField()
    staked_after = AmountField()
    held_after = AmountField()
    # Case-sensitive on MariaDB (utf8mb4_bin, migration 0004): re-apply it if an AlterField rewrites the column.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who caused the row (the user, an operator); empty for system jobs.",
    )
    memo = models.CharField(max_length=500, blank=True)
    status_reason = models.CharField(
        max_length=500, blank=True, help_text="Why a pending row was canceled or failed (e.g. rejection reason)."
    )
    external_reference = models.CharField(
        max_length=255, null=True, blank=True, help_text="E.g. the chain transaction hash."
    )
    chain = models.CharField(max_length=20, choices=Chain.choices, blank=True)
    destination_address = models.CharField(max_length=42, blank=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    available_at = models.DateTimeField(
        null=True, blank=True, help_text="Unstake cool-down: when the tokens become available."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        db_table = "transactions"
        permissions = [
            ("create_deposit", "Can credit a deposit to a wallet"),
            ("approve_withdrawal", "Can approve or reject a pending withdrawal"),
            ("create_adjustment", "Can write a correcting adjustment"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(available_after__gte=0) & Q(staked_after__gte=0) & Q(held_after__gte=0),
                name="transaction_balances_after_gte_0",
            ),
            models.UniqueConstraint(fields=["wallet", "idempotency_key"], name="uniq_transaction_wallet_idem_key"),
            models.UniqueConstraint(fields=["kind", "external_reference"], name="uniq_transaction_kind_ext_ref"),
        ]
        indexes = [
            models.Index(fields=["wallet", "created_at"], name="idx_txn_wallet_created"),
            models.Index(fields=["user", "created_at"], name="idx_txn_user_created"),
            models.Index(fields=["status", "kind"], name="idx_txn_status_kind"),
            models.Index(fields=["source_type", "source_id"], name="idx_txn_source"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.status}) #{self.pk}"

    def get_state_display(self) -> str:
        """The label of the row's CURRENT status (``with_state()`` or a final column)."""
        return str(TransactionStatus(row_state(self).state).label)


class AccountKind(models.TextChoices):
    ISSUANCE = "issuance", _("Issuance (treasury)")
    EXTERNAL = "external", _("External clearing")
    REVENUE = "revenue", _("Revenue")
    ESCROW = "escrow", _("Prize escrow")


#: The kinds of system account that may go below zero: issuance is minus the supply it
#: minted, external is minus the net tokens that came in from the chain.
NEGATIVE_KINDS = (AccountKind.ISSUANCE, AccountKind.EXTERNAL)


class LedgerAccount(models.Model):
    """A system account: the other side of the members' movements (double entry).

    Keyed by a readable code (``issuance``, ``external``, ``revenue``,
    ``escrow:challenge:12``): journal lines name it without a lookup. It caches no
    balance, on purpose: a cached balance would be one row every deposit and every
    payment locks (a hot row). Its balance is the sum of its lines
    (``wallets.selectors.supply_totals``), proven by ``verify_ledger``."""

    code = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    may_go_negative = models.BooleanField(default=False)
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    #: Set when an escrow is released for good (its challenge archived): from then on
    #: its balance is zero and nothing posts to it (``verify_ledger`` proves the zero).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "ledger_accounts"
        constraints = [
            models.CheckConstraint(
                condition=Q(may_go_negative=False) | Q(kind__in=NEGATIVE_KINDS),
                name="ledger_account_floor_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class JournalEntry(models.Model):
    """One balanced movement: the header of lines whose amounts sum to zero.

    Written with the ledger row (``Transaction``) it belongs to, in the same
    transaction, by ``wallets.services.posting``; a pending row gets a second entry
    when it settles, its **settlement** (TigerBeetle's post or void): ``status`` says
    which status the entry gave the row (so a row is journaled once per status) and
    ``pending_entry`` names the pending entry it settles (one-to-one: a unique index,
    so a pending entry is posted or voided at most once). Never updated or deleted
    (database triggers)."""

    # A member row's kind, or a system entry's (no ``transaction``: escrow funding/release).
    kind = models.CharField(max_length=20, choices=[*TransactionKind.choices, *SystemEntryKind.choices])
    status = models.CharField(max_length=20, choices=TransactionStatus.choices)
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=255, blank=True, help_text="Opaque: a chain hash, challenge:<id>...")
    created_at = models.DateTimeField(default=timezone.now)
    #: The pending entry this one settles (post: completed; void: canceled / failed).
    pending_entry = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="settlement"
    )
    #: A withdrawal's payout hash, given when it is approved; unique per kind (the
    #: settlement is the row that learns it, so its uniqueness lives here).
    external_reference = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "journal_entries"
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(fields=["transaction", "status"], name="uniq_journal_entry_txn_status"),
            models.UniqueConstraint(fields=["kind", "external_reference"], name="uniq_journal_entry_kind_ext_ref"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idx_journal_entry_created")]

    def __str__(self) -> str:
        return f"entry {self.pk}: {self.kind} {self.status}"


class Bucket(models.TextChoices):
    """A member wallet's three balances, each an account of the journal."""

    AVAILABLE = "available", _("Available")
    STAKED = "staked", _("Staked")
    HELD = "held", _("Held")


class JournalLine(models.Model):
    """One signed amount of an entry, on a system account or on one bucket of a
    member's wallet (positive: the account's balance grows). A wallet's cached
    balances equal the sums of its lines per bucket; ``verify_ledger`` proves it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    # The composite indexes below lead with these columns (they also serve the FKs).
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="lines", db_index=False
    )
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_lines", db_index=False
    )
    bucket = models.CharField(max_length=10, choices=Bucket.choices, blank=True)
    amount = AmountField()

    class Meta:
        db_table = "journal_lines"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="journal_line_amount_ne_0"),
            models.CheckConstraint(
                condition=Q(account__isnull=False, wallet__isnull=True, bucket="")
                | Q(account__isnull=True, wallet__isnull=False, bucket__in=Bucket.values),
                name="journal_line_one_account",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "amount"], name="idx_journal_line_account"),
            models.Index(fields=["wallet", "bucket", "amount"], name="idx_journal_line_wallet"),
        ]

    def __str__(self) -> str:
        side = self.account_id or f"wallet {self.wallet_id} {self.bucket}"
        return f"{side} {self.amount}"


class WithdrawalApproval(models.Model):
    """One operator's approval of a withdrawal (four-eyes, issue #17). Above
    ``OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE`` a withdrawal settles on the second
    approval of a different operator; never by its requester. Written by
    ``wallets.services.approvals`` only; never edited or deleted."""

    withdrawal = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="approvals")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "withdrawal_approvals"
        constraints = [
            models.UniqueConstraint(fields=["withdrawal", "operator"], name="uniq_withdrawal_approval_operator"),
        ]

    def __str__(self) -> str:
        return f"withdrawal #{self.withdrawal_id} approved by user #{self.operator_id}"


auditlog.register(Wallet, exclude_fields=["updated_at"])
auditlog.register(WalletAddress)
# Concrete fields only: the default (every field) also reads the reverse one-to-one
# relations other apps add to Transaction (rewards, subscription periods...), one
# query each on every ledger write.
auditlog.register(Transaction, include_fields=[f.name for f in Transaction._meta.concrete_fields])
auditlog.register(WithdrawalApproval)
