from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = "Challenges"

    def ready(self) -> None:
        # Staking badges react to ledger rows (after commit, by a worker); the ledger
        # knows nothing of challenges.
        from challenges.ledger_badges import on_ledger_row
        from wallets.listeners import register_ledger_listener

        register_ledger_listener(on_ledger_row)
