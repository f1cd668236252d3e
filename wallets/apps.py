from django.apps import AppConfig


class WalletsConfig(AppConfig):
    name = "wallets"
    verbose_name = "Wallets"

    def ready(self) -> None:
        # The one domain signal we allow (DESIGN.md): every user gets a wallet,
        # whichever path created the user.
        from wallets import signals

        signals.connect()
