"""Withdrawal addresses a member registers, per chain, validated (EIP-55 for EVM)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from wallets.models import Wallet, WalletAddress
from wallets.services.posting import _rerun_on_unique_race

if TYPE_CHECKING:
    from accounts.models import User


#: An EVM address as the API schema describes it (the checksum is checked after).
EVM_ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
INVALID_ADDRESS_MESSAGE = gettext_noop("Enter an EVM address: 0x followed by 40 hexadecimal digits.")


def normalize_evm_address(value: str, *, field: str = "address") -> str:
    """``0x`` + 40 hex digits; a mixed-case address must carry a valid EIP-55
    checksum (a typo in one would otherwise be accepted); stored checksummed."""
    from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

    value = (value or "").strip()
    if not is_hex_address(value) or not value.startswith("0x"):
        raise ApplicationError(_(INVALID_ADDRESS_MESSAGE), code="invalid_address", field=field, status_code=400)
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise ApplicationError(
            _("This address has an invalid EIP-55 checksum (check for a typo)."), code="invalid_checksum", field=field
        )
    return to_checksum_address(value)


@_rerun_on_unique_race
@transaction.atomic
def address_create(*, user: User, chain: str, address: str, label: str = "") -> WalletAddress:
    """Register a withdrawal address; unique per chain across all users."""
    from wallets.models import Chain

    if chain not in Chain.values:
        raise ApplicationError(_("Unknown chain."), code="invalid_chain", field="chain")
    address = normalize_evm_address(address)
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        raise NotFoundError(_("Wallet not found."), code="wallet_not_found")
    if WalletAddress.objects.filter(chain=chain, address=address).exists():
        raise ConflictError(
            _("This address is already registered on this chain."), code="address_taken", field="address"
        )
    return WalletAddress.objects.create(wallet=wallet, chain=chain, address=address, label=(label or "").strip()[:60])


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Remove one of the user's withdrawal addresses. Withdrawals keep their own
    copy of the destination (``Transaction.destination_address``), so history is intact."""
    deleted, _rows = WalletAddress.objects.filter(pk=address_id, wallet__user=user).delete()
    if not deleted:
        raise NotFoundError(_("Address not found."), code="address_not_found")
