"""Withdrawal addresses a member registers, per chain, validated (EIP-55 for EVM).

A new address is usable for a withdrawal only after two things: the member confirms it
from the link emailed to them (``address_confirm``: proof that the mailbox's owner, not
just whoever holds the session, wants money to go there) and its cool-down ends
(``OGC_NEW_ADDRESS_COOLDOWN_HOURS`` after it was added). Adding and removing one each
send a security notification no one can turn off (email + in-app).

The confirmation link carries a token signed with the secret key (``django.core.signing``,
timestamped, valid ``OGC_ADDRESS_CONFIRM_LINK_HOURS``): the address id, its owner and the
moment it was added, so nothing secret is stored and a token outlives neither a removed
and re-added address nor its owner. It is computed when the email is rendered
(``address_confirm_token``), never stored in the notification (which the member's
session can read)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
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
    now = timezone.now()
    created = WalletAddress.objects.create(
        wallet=wallet,
        chain=chain,
        address=address,
        label=(label or "").strip()[:60],
        usable_from=now + timedelta(hours=settings.OGC_NEW_ADDRESS_COOLDOWN_HOURS),
    )
    _address_notice(user, created, added=True)
    return created


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Remove one of the user's withdrawal addresses. Withdrawals keep their own
    copy of the destination (``Transaction.destination_address``), so history is intact."""
    address = WalletAddress.objects.filter(pk=address_id, wallet__user=user).first()
    if address is None:
        raise NotFoundError(_("Address not found."), code="address_not_found")
    _address_notice(user, address, added=False)
    address.delete()


_CONFIRM_SALT = "wallets.address-confirm"


def address_confirm_token(address: WalletAddress) -> str:
    """The signed token of ``address``'s confirmation link (see the module's docstring)."""
    payload = {"a": address.pk, "u": address.wallet.user_id, "t": int(address.created_at.timestamp())}
    return signing.dumps(payload, salt=_CONFIRM_SALT, compress=True)


def _link_refused() -> ApplicationError:
    return ApplicationError(
        _("This confirmation link is not valid for your account or has expired. Remove the address and add it again."),
        code="confirmation_invalid",
        field="token",
    )


def address_for_confirmation(*, user: User, token: str, for_update: bool = False) -> WalletAddress:
    """The address ``token`` names, if it is ``user``'s and still the one the link was
    sent for; else 422 ``confirmation_invalid`` (the same answer for each case, revealing
    nothing): forged, expired, another member's, or removed since."""
    max_age = timedelta(hours=settings.OGC_ADDRESS_CONFIRM_LINK_HOURS)
    try:
        payload = signing.loads(token or "", salt=_CONFIRM_SALT, max_age=max_age)
        address_id, owner_id, added = int(payload["a"]), int(payload["u"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _link_refused() from None
    if owner_id != user.pk:
        raise _link_refused()
    addresses = WalletAddress.objects.select_for_update() if for_update else WalletAddress.objects
    address = addresses.filter(pk=address_id, wallet__user=user).first()
    if address is None or int(address.created_at.timestamp()) != added:
        raise _link_refused()
    return address


@transaction.atomic
def address_confirm(*, user: User, token: str) -> WalletAddress:
    """Confirm the address the emailed link names (``address_for_confirmation`` says
    which refusals); a second use answers 409 ``already_confirmed`` and changes nothing."""
    address = address_for_confirmation(user=user, token=token, for_update=True)
    if address.verified_at is not None:
        raise ConflictError(_("This address is already confirmed."), code="already_confirmed", field="token")
    address.verified_at = timezone.now()
    address.save(update_fields=["verified_at"])
    return address


def _address_notice(user: User, address: WalletAddress, *, added: bool) -> None:
    """The security notification of an added or removed address (email + in-app, locked on
    both channels: ``notifications.kinds.MANDATORY_KINDS``), written with the change."""
    from notifications.services import notify

    shown = {"chain": address.get_chain_display(), "address": address.address}
    if added:
        kind, title = "address_added", _("A withdrawal address was added")
        body = _(
            "%(chain)s address %(address)s was added to your account. It can receive withdrawals once you "
            "confirm it from the link we emailed you, and not before the waiting period ends. If this was not "
            "you, remove it and change your password."
        )
    else:
        kind, title = "address_removed", _("A withdrawal address was removed")
        body = _(
            "%(chain)s address %(address)s was removed from your account. If this was not you, change your password."
        )
    notify(
        user=user,
        kind=kind,
        title=title,
        body=body % shown,
        data={"address_id": address.pk, "chain": address.chain, "address": address.address},
    )


def address_usable_or_refuse(address: WalletAddress, *, field: str = "address_id") -> None:
    """Refuse a withdrawal to an address not confirmed yet or still cooling down (409,
    saying what to do or when), before any money moves."""
    from wallets.models import AddressState

    state = address.state()
    if state == AddressState.UNCONFIRMED:
        raise ConflictError(
            _("Confirm this address from the link we emailed you before withdrawing to it."),
            code="address_unconfirmed",
            field=field,
        )
    if state == AddressState.COOLING_DOWN and address.usable_from is not None:
        raise ConflictError(
            _("This address is new: it can receive withdrawals from %(when)s UTC.")
            % {"when": address.usable_from.strftime("%Y-%m-%d %H:%M")},
            code="address_cooling_down",
            field=field,
        )
