from django.apps import AppConfig


class WalletsConfig(AppConfig):
    name = "wallets"
    verbose_name = "Wallets"

    def ready(self) -> None:
        # The one domain signal we allow (DESIGN.md): every user gets a wallet,
        # whichever path created the user.
        from django.db.models.signals import post_migrate

        from wallets import signals

        signals.connect()
        post_migrate.connect(signals.ensure_system_accounts, sender=self)
