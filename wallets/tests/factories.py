from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from wallets.models import Chain, WalletAddress

VALID_ADDRESSES = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def funded_user(amount: str = "100", **kwargs):
    """A user whose wallet received a completed deposit of ``amount`` through the ledger."""
    from wallets.services import deposit_create

    user = UserFactory(**kwargs)
    if Decimal(amount) > 0:
        deposit_create(user=user, amount=Decimal(amount), memo="test funding")
    user.wallet.refresh_from_db()
    return user


class WalletAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalletAddress

    wallet = factory.LazyAttribute(lambda o: UserFactory().wallet)
    chain = Chain.ETHEREUM
    address = factory.Sequence(lambda n: "0x" + f"{n + 1:040x}")
    label = "test"
    # Ready for withdrawals (confirmed, cool-down over); ``WalletAddressFactory(new=True)``
    # is one just added (unconfirmed, cooling down), as ``address_create`` writes it.
    verified_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    usable_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        new = factory.Trait(
            verified_at=None, usable_from=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))
        )
