"""The ledger on the console's front page: the pending-withdrawals tile, the token
supply tile, the deposit and withdrawal volumes chart, and the global search for ids,
addresses and hashes."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.timesince import timesince

from core.admin_site import (
    ALERT,
    OK,
    Chart,
    SearchHit,
    Series,
    Tile,
    daily,
    queue_tile,
    register_chart,
    register_search,
    register_tile,
)
from core.amounts import format_amount
from wallets import selectors
from wallets.admin.transactions import ADDRESS_RE, HASH_RE, ID_RE
from wallets.admin_queues import APPROVE_PERMISSION, QUEUE_URL_NAME
from wallets.models import Transaction, TransactionKind, Wallet, WalletAddress


@register_tile("wallets.withdrawals_pending", order=10, permissions=["wallets.view_transaction"])
def withdrawals_tile(request: HttpRequest) -> Tile:
    summary = selectors.withdrawals_pending_summary()
    detail = format_amount(summary["total"], grouping=True, symbol=True) + " held"
    if summary["oldest"] is not None:
        detail += f" · oldest {timesince(summary['oldest'], depth=1)}"
    return queue_tile(
        request,
        title="Withdrawals awaiting approval",
        count=summary["count"],
        detail=detail,
        queue_url=reverse(QUEUE_URL_NAME),
        list_url=reverse("admin:wallets_transaction_changelist") + "?kind__exact=withdrawal&status__exact=pending",
        permission=APPROVE_PERMISSION,
    )


@register_tile("wallets.supply", order=15, permissions=["wallets.view_transaction"])
def supply_tile(request: HttpRequest) -> Tile:
    """The supply from the journal (one statement): where every token is, and an alert
    when the books do not add up (``Supply.gap``; ``verify_ledger`` names the cause)."""
    supply = selectors.supply_totals()

    def amount(value) -> str:
        return format_amount(value, places=2, grouping=True)

    detail = (
        f"{amount(supply.available)} circulating · {amount(supply.staked)} staked · "
        f"{amount(supply.held)} held · {amount(supply.escrowed)} in prize escrows · {amount(supply.revenue)} revenue"
    )
    if supply.gap:
        detail = f"{amount(supply.gap)} not accounted for: run verify_ledger. " + detail
    return Tile(
        title="Token supply",
        value=format_amount(supply.total, places=2, grouping=True, symbol=True),
        detail=detail,
        url=reverse("admin:wallets_ledgeraccount_changelist"),
        state=ALERT if supply.gap else OK,
        action="Supply report",
    )


@register_chart("wallets.volumes", order=10, permissions=["wallets.view_transaction"])
def volumes_chart(start, days) -> Chart:
    rows = selectors.ledger_daily_volumes(since=start, kinds=[TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL])
    deposits = daily([(day, total) for day, kind, total in rows if kind == TransactionKind.DEPOSIT], days, zero=0)
    withdrawals = daily([(day, total) for day, kind, total in rows if kind == TransactionKind.WITHDRAWAL], days, zero=0)
    total_in = format_amount(sum(deposits), places=2, grouping=True, symbol=True)
    total_out = format_amount(sum(withdrawals), places=2, grouping=True, symbol=True)
    return Chart(
        title="Deposits and withdrawals",
        days=days,
        series=[Series("Deposits", deposits), Series("Withdrawals", withdrawals)],
        summary=f"Completed over {len(days)} days: {total_in} deposited, {total_out} withdrawn.",
        unit="OGC",
        money=True,
        url=reverse("admin:wallets_transaction_changelist") + "?status__exact=completed",
    )


@register_search("Wallets and transactions", order=20, permissions=["wallets.view_transaction", "wallets.view_wallet"])
def search_ledger(query: str, limit: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    if match := ID_RE.match(query):
        row = Transaction.objects.select_related("user").filter(pk=int(match[1])).first()
        if row is not None:
            hits.append(
                SearchHit(
                    f"Transaction #{row.pk}: {row.get_kind_display()} "
                    f"{format_amount(row.amount, grouping=True, symbol=True)} ({row.get_status_display()})",
                    f"{row.user.email} · {row.created_at:%Y-%m-%d %H:%M} UTC",
                    reverse("admin:wallets_transaction_change", args=[row.pk]),
                )
            )
    elif ADDRESS_RE.match(query):
        for wallet in Wallet.objects.select_related("user").filter(deposit_address__iexact=query)[:limit]:
            hits.append(
                SearchHit(
                    f"Deposit address of {wallet.user.email}",
                    wallet.deposit_address,
                    reverse("admin:wallets_wallet_change", args=[wallet.pk]),
                )
            )
        addresses = WalletAddress.objects.select_related("wallet__user").filter(address__iexact=query)[:limit]
        for address in addresses:
            hits.append(
                SearchHit(
                    f"Withdrawal address of {address.wallet.user.email} ({address.get_chain_display()})",
                    address.address,
                    reverse("admin:wallets_transaction_changelist")
                    + f"?kind__exact=withdrawal&user__id__exact={address.wallet.user_id}",
                )
            )
        if not hits:  # an address since removed from the member's address book
            rows = Transaction.objects.select_related("user").filter(destination_address__iexact=query)[:limit]
            hits.extend(
                SearchHit(
                    f"Withdrawal #{row.pk} of {row.user.email}",
                    f"to {row.destination_address} · {format_amount(row.amount, grouping=True, symbol=True)}",
                    reverse("admin:wallets_transaction_change", args=[row.pk]),
                )
                for row in rows
            )
    elif HASH_RE.match(query):
        rows = Transaction.objects.select_related("user").filter(
            kind__in=TransactionKind.values, external_reference=query
        )
        hits.extend(
            SearchHit(
                f"{row.get_kind_display()} #{row.pk} of {row.user.email}",
                f"chain reference {row.external_reference}",
                reverse("admin:wallets_transaction_change", args=[row.pk]),
            )
            for row in rows[:limit]
        )
    return hits
