"""Ledger v2, issue #16 item 3: prizes are paid out of a challenge's escrow from now on.

The challenges published before this migration have no escrow. History stays as it was
written (rewards already paid keep their lines against issuance: journal entries are
immutable); instead each published, not yet archived challenge (scheduled, closed,
judged) gets ONE adjusting system entry, issuance -> ``escrow:challenge:<id>``, of what
its pool still owes (``prize_pool - prize_paid``), so that from here on its escrow
holds exactly what its remaining rewards may pay. An archived challenge gets nothing
(it pays no more rewards; its escrow would be released at once). Drafts are funded
when published. No member balance changes.

Written with the historical models (a migration must not change meaning when the live
services do); the entries' kind and lines are those of ``wallets.services.escrow_fund``.
"""

from django.db import migrations

FUNDED_STATUSES = ("scheduled", "closed", "judged")


def fund_escrows(apps, schema_editor):
    Challenge = apps.get_model("challenges", "Challenge")
    LedgerAccount = apps.get_model("wallets", "LedgerAccount")
    JournalEntry = apps.get_model("wallets", "JournalEntry")
    JournalLine = apps.get_model("wallets", "JournalLine")
    challenges = Challenge.objects.filter(status__in=FUNDED_STATUSES).order_by("pk")
    for challenge in challenges.iterator(chunk_size=500):
        reference = f"challenge:{challenge.pk}"
        code = f"escrow:{reference}"
        if LedgerAccount.objects.filter(code=code).exists():
            continue  # funded already (by the services after an earlier partial run)
        LedgerAccount.objects.create(code=code, kind="escrow", may_go_negative=False, name=f"Prize escrow of {reference}")
        owed = challenge.prize_pool - challenge.prize_paid
        if owed <= 0:
            continue
        entry = JournalEntry.objects.create(
            kind="escrow_fund",
            status="completed",
            memo=f"Prize pool of {challenge.title} (opening balance, migration challenges 0005)"[:500],
            reference=reference,
        )
        JournalLine.objects.bulk_create(
            [
                JournalLine(entry=entry, account_id=code, amount=owed),
                JournalLine(entry=entry, account_id="issuance", amount=-owed),
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0004_entry_fee_to"),
        ("wallets", "0009_escrow_accounts"),
    ]

    operations = [migrations.RunPython(fund_escrows, migrations.RunPython.noop)]
