"""Integrity checks of the accounts' data, run by ``manage.py check_integrity`` (see
``core.integrity``): allauth's two conditional unique constraints, which MariaDB does
not create (``models.W036``, docs/security.md "Contract hardening"), checked here."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower

from accounts.models import User
from core.integrity import SAMPLE_SIZE, describe_rows, register_check


@register_check(
    "accounts.emails_held_twice",
    "Email addresses held by two accounts (as a login email or an allauth address, in any case).",
)
def emails_held_twice() -> list[str]:
    addresses = EmailAddress._base_manager.annotate(address=Lower("email"))
    shared = addresses.values("address").annotate(holders=Count("user_id", distinct=True)).filter(holders__gt=1)
    login_of_another = addresses.filter(
        Exists(User._base_manager.filter(email=OuterRef("address")).exclude(pk=OuterRef("user_id")))
    )
    emails = sorted(
        set(shared.values_list("address", flat=True)) | set(login_of_another.values_list("address", flat=True))
    )
    lines = []
    for email in emails[:SAMPLE_SIZE]:
        holders = set(User._base_manager.filter(email=email).values_list("pk", flat=True))
        holders |= set(EmailAddress._base_manager.filter(email__iexact=email).values_list("user_id", flat=True))
        lines.append(f"{email} is held by users {', '.join(str(pk) for pk in sorted(holders))}")
    if len(emails) > len(lines):
        lines.append(f"... and {len(emails) - len(lines)} more ({len(emails)} in all)")
    return lines


@register_check(
    "accounts.users_with_two_primary_addresses",
    "Users with more than one primary email address (allauth allows one).",
)
def users_with_two_primary_addresses() -> list[str]:
    users = User._base_manager.annotate(primaries=Count("emailaddress", filter=Q(emailaddress__primary=True))).filter(
        primaries__gt=1
    )
    return describe_rows(users.values("id", "primaries"), "user {id} has {primaries} primary addresses")
