from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        # A plan may set its own withdrawal limits; the ledger knows no plans.
        from subscriptions.limits import plan_withdrawal_limits_provider
        from wallets.services import register_withdrawal_limits

        register_withdrawal_limits(plan_withdrawal_limits_provider)
