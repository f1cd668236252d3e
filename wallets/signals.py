from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


def create_wallet_for_new_user(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Runs inside ``User.save``'s transaction, so user and wallet commit together."""
    if created and not raw:
        from wallets.services import wallet_create

        wallet_create(user=instance)


def connect() -> None:
    """Connect the receiver for the user model and every proxy of it (a save through a
    proxy, e.g. governance's ``Admin``, sends ``post_save`` with the proxy as sender):
    however a user is created, it gets its wallet, and the ledger names no other app."""
    user_model = get_user_model()
    for model in django_apps.get_models():
        if model is user_model or (model._meta.proxy and issubclass(model, user_model)):
            post_save.connect(
                create_wallet_for_new_user, sender=model, dispatch_uid=f"wallets.wallet_for:{model._meta.label}"
            )


def ensure_system_accounts(sender, apps=None, using: str = "default", **kwargs) -> None:
    """``post_migrate``: the system accounts exist after every migrate and after every
    flush (a transactional test's teardown), as content types do. Journal lines name
    them by code, so they are never looked up on the hot path."""
    from wallets.ledger import SYSTEM_ACCOUNTS

    try:
        account_model = (apps or django_apps).get_model("wallets", "LedgerAccount")
    except LookupError:  # migrated back before the journal existed
        return
    account_model.objects.using(using).bulk_create(
        [
            account_model(code=code, kind=kind, may_go_negative=negative, name=name)
            for code, (kind, negative, name) in SYSTEM_ACCOUNTS.items()
        ],
        ignore_conflicts=True,
    )
