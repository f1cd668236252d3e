"""System checks of the accounts app (wired in ``AccountsConfig.ready``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.db import models

#: Models whose conditional unique constraints MariaDB does not create, and whose rules
#: the application enforces in their place (docs/security.md, "Contract hardening").
# allauth.mfa's Authenticator: one TOTP and one recovery-code set per user (a
# conditional unique constraint). allauth's enrolment refuses a second one (the TOTP
# page only activates when none exists; recovery codes are regenerated in place).
ENFORCED_IN_CODE = frozenset({"account.emailaddress", "mfa.authenticator"})


@checks.register(checks.Tags.models)
def conditional_unique_constraints(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """``models.W036`` is silenced for allauth's ``EmailAddress`` (settings,
    ``SILENCED_SYSTEM_CHECKS``), which Django can only do for every model at once:
    report it again, as ``accounts.W036``, for any other model."""
    if not databases:
        return []
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return w036_outside([model for config in configs for model in config.get_models()], databases)


def w036_outside(models_: Iterable[type[models.Model]], databases) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for model in models_:
        if model._meta.label_lower in ENFORCED_IN_CODE:
            continue
        for message in model.check(databases=databases):
            if message.id == "models.W036":
                hint = "Enforce the rule in code and add the model to accounts.checks.ENFORCED_IN_CODE."
                found.append(checks.Warning(message.msg, hint=hint, obj=model, id="accounts.W036"))
    return found
