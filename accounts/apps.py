from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's `account` app is also "Accounts": two identical admin headings otherwise.
    verbose_name = "Users"

    def ready(self) -> None:
        from accounts import (
            checks,  # noqa: F401 (registers the system checks)
            signals,  # noqa: F401 (the new-device check at login)
        )
