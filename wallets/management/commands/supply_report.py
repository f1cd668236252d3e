"""``manage.py supply_report``: where every OGC came from and where it is now."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.amounts import format_amount
from core.management.base import AuditedCommand
from wallets.selectors import SUPPLY_LINES, revenue_by_month, supply_totals


class Command(AuditedCommand):
    help = "Print the token supply from the journal: issued, circulating, staked, held, escrowed, revenue, external."

    def run(self, *args, **options):
        supply = supply_totals()
        rows = [(str(label), format_amount(getattr(supply, name), grouping=True)) for label, name in SUPPLY_LINES]
        width = max(len(label) for label, _ in rows)
        for label, amount in rows:
            self.stdout.write(f"{label:<{width}}  {amount:>30}")
        self.stdout.write("")
        self.stdout.write(_("Revenue by month (UTC):"))
        for month, amount in revenue_by_month():
            self.stdout.write(f"  {month:%Y-%m}  {format_amount(amount, grouping=True):>30}")
        if supply.gap:
            gap = format_amount(supply.gap, grouping=True)
            self.stdout.write(_("Not accounted for: %(amount)s (run verify_ledger).") % {"amount": gap})
