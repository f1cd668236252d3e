from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="wallets.create_wallet_for_new_user")
def create_wallet_for_new_user(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Runs inside ``User.save``'s transaction, so user and wallet commit together."""
    if created and not raw:
        from wallets.services import wallet_create

        wallet_create(user=instance)
