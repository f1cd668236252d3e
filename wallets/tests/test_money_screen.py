"""The wallet as a money screen: the confirmation step, "Max", the CSV export, the
balance chart (its series is the ledger's balances-after), the ledger's filter chips,
and the page's query count (constant whatever the number of ledger rows)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory, login_fresh
from core.amounts import amount_out, format_amount
from wallets import selectors, services
from wallets.models import Transaction, Wallet
from wallets.selectors import EXPORT_FIELDS
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

BIG = "1234567.123456789012345678"  # 18 decimals, thousands


@pytest.fixture
def member():
    user = funded_user(BIG)
    client = Client()
    login_fresh(client, user)  # withdrawals and new addresses ask for a recent re-authentication
    client.user = user
    return client


def _token(client, name: str) -> str:
    return client.get("/wallet/").context[f"{name}_form"].initial["token"]


def _html(response) -> str:
    return response.content.decode()


# --- the page ---------------------------------------------------------------------------------


def test_page_shows_grouped_tiles_with_total_deposit_qr_and_signed_rows(member):
    services.stake_create(user=member.user, amount=Decimal("1000"))
    address = WalletAddressFactory(wallet=member.user.wallet)
    services.withdrawal_request(user=member.user, amount=Decimal("0.5"), address_id=address.pk)
    html = _html(member.get("/wallet/"))
    assert 'data-testid="total">1,234,567.123456789012345678<' in html
    assert 'data-testid="available">1,233,566.623456789012345678<' in html
    assert 'data-testid="staked">1,000<' in html and 'data-testid="held">0.5<' in html
    wallet = member.user.wallet
    assert f'data-testid="deposit-address" aria-labelledby="deposit-address-label">{wallet.deposit_address}<' in html
    assert '<svg role="img" aria-label="QR code of your deposit address"' in html
    assert "data-copy-target" in html and "js/wallet.js" in html
    # Ledger rows: a credit with + in green, a debit with a minus sign, internal moves unsigned.
    assert 'amount-credit">+1,234,567.123456789012345678 <' in html
    assert 'amount-debit">\u22120.5 <' in html
    assert 'amount-internal">1,000 <' in html


def test_ledger_filter_chips_keep_the_other_filters(member):
    services.stake_create(user=member.user, amount=Decimal("1"))
    response = member.get("/wallet/", {"kind": "stake", "period": "7d"})
    menus = {menu.name: menu for menu in response.context["chip_menus"]}
    assert menus["kind"].value == "Stake" and menus["kind"].active
    assert menus["date"].value == "Last 7 days"
    deposit = next(chip for chip in menus["kind"].chips if chip.label == "Deposit")
    assert deposit.url == "?period=7d&kind=deposit" and not deposit.current
    assert response.context["export_url"] == "/wallet/transactions.csv?kind=stake&period=7d"
    assert [t.kind for t in response.context["page"].object_list] == ["stake"]
    # A date range: rows of those days only (the member's, UTC here); an impossible one is an invalid filter.
    today = timezone.now().date()
    rows = member.get("/wallet/", {"date_from": today.isoformat()}).context["page"].object_list
    assert len(rows) == 2
    old = (today - timedelta(days=3)).isoformat()
    assert not member.get("/wallet/", {"date_to": old}).context["page"].object_list
    assert "Invalid filter" in _html(member.get("/wallet/", {"date_from": "yesterday"}))


# --- the confirmation step ----------------------------------------------------------------------


def test_review_moves_nothing_and_confirming_twice_moves_once(member):
    token = _token(member, "stake")
    before = Transaction.objects.count()
    review = member.post("/wallet/stake/review/", {"stake-amount": "1000.5", "stake-token": token})
    assert review.status_code == 200
    html = _html(review)
    assert Transaction.objects.count() == before
    assert Wallet.objects.get(user=member.user).staked == 0
    assert 'data-testid="confirm-amount">1,000.5<' in html
    assert "None." in html and "At once." in html  # fee, when
    assert "1,233,566.623456789012345678 available, 1,000.5 staked, 0 held" in html
    # The confirm form repeats the same token and the plain amount (never grouped).
    assert f'name="stake-token" value="{token}"' in html and 'name="stake-amount" value="1000.5"' in html
    assert 'action="/wallet/stake/"' in html
    confirm = {"stake-amount": "1000.5", "stake-token": token}
    assert member.post("/wallet/stake/", confirm).status_code == 302
    assert member.post("/wallet/stake/", confirm).status_code == 302  # the double submit
    rows = Transaction.objects.filter(user=member.user, kind="stake")
    assert rows.count() == 1 and rows.get().idempotency_key == f"page:{token}"
    assert Wallet.objects.get(user=member.user).staked == Decimal("1000.5")
    page = member.get("/wallet/")
    assert "Staked 1,000.5 OGC." in [str(m) for m in page.context["messages"]]


def test_review_refuses_more_than_the_balance_on_the_field(member):
    response = member.post("/wallet/unstake/review/", {"unstake-amount": "1", "unstake-token": "t"})
    assert response.status_code == 400
    assert response.context["unstake_form"].errors == {"amount": ["You have 0 OGC staked: enter that much or less."]}
    assert "There is a problem" in _html(response)
    response = member.post("/wallet/stake/review/", {"stake-amount": "1,000", "stake-token": "t"})
    assert response.status_code == 400 and "digits 0-9" in response.context["stake_form"].errors["amount"][0]
    assert not Transaction.objects.filter(user=member.user).exclude(kind="deposit").exists()


def test_withdrawal_review_restates_address_fee_and_approval(member):
    address = WalletAddressFactory(wallet=member.user.wallet, label="Cold")
    token = _token(member, "withdraw")
    data = {"withdraw-amount": "25", "withdraw-address": address.pk, "withdraw-token": token}
    html = _html(member.post("/wallet/withdraw/review/", data))
    assert address.address in html and "Cold" in html
    assert "None: the full amount is sent." in html
    assert "After an operator approves it" in html
    assert "1,234,542.123456789012345678 available, 0 staked, 25 held" in html
    assert not Transaction.objects.filter(kind="withdrawal").exists()
    assert member.post("/wallet/withdraw/", data).status_code == 302
    assert member.post("/wallet/withdraw/", data).status_code == 302
    row = Transaction.objects.get(kind="withdrawal")
    assert (row.status, row.amount, row.destination_address) == ("pending", Decimal(25), address.address)
    # Someone else's address cannot be reviewed either.
    foreign = WalletAddressFactory()
    data["withdraw-address"] = foreign.pk
    assert member.post("/wallet/withdraw/review/", data).status_code == 400


def test_unstake_review_says_when_the_cool_down_ends(member, settings):
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 72
    services.stake_create(user=member.user, amount=Decimal("10"))
    page = _html(member.get("/wallet/"))
    assert "Unstaked tokens wait 3 days (held), then return to your available balance." in page
    token = _token(member, "unstake")
    html = _html(member.post("/wallet/unstake/review/", {"unstake-amount": "4", "unstake-token": token}))
    assert "After a cool-down of 3 days: back in Available on" in html
    assert "OGC_UNSTAKE" not in html
    assert ", 6 staked, 4 held" in html
    assert Transaction.objects.filter(kind="unstake").count() == 0
    member.post("/wallet/unstake/", {"unstake-amount": "4", "unstake-token": token})
    assert Transaction.objects.get(kind="unstake").status == "pending"
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 5
    html = _html(member.post("/wallet/unstake/review/", {"unstake-amount": "1", "unstake-token": "x"}))
    assert "After a cool-down of 5 hours" in html


# --- Max ----------------------------------------------------------------------------------------


def test_max_fills_the_whole_balance_of_each_form(member):
    services.stake_create(user=member.user, amount=Decimal("0.000000000000000001"))
    WalletAddressFactory(wallet=member.user.wallet)
    wallet = Wallet.objects.get(user=member.user)
    html = _html(member.get("/wallet/"))
    available = format_amount(wallet.available)  # plain: the form reads it back
    assert available == "1234567.123456789012345677"
    for op, amount in (("stake", available), ("unstake", "0.000000000000000001"), ("withdraw", available)):
        link = re.search(
            rf'<a class="btn btn-secondary amount-max" href="([^"]+)" data-max="([^"]+)"[^>]*{op}-max', html
        )
        assert link, op
        assert link[2] == amount and link[1] == f"/wallet/?{op}-amount={amount}#{op}-form"
        # Without JavaScript the link reloads the page with the amount filled in.
        prefilled = member.get(link[1].split("#")[0])
        assert f'name="{op}-amount" value="{amount}"' in _html(prefilled)
    # The filled-in amount goes through review and confirm: everything is staked, nothing left.
    token = _token(member, "stake")
    review = member.post("/wallet/stake/review/", {"stake-amount": available, "stake-token": token})
    assert review.status_code == 200
    member.post("/wallet/stake/", {"stake-amount": available, "stake-token": token})
    wallet.refresh_from_db()
    assert wallet.available == 0 and wallet.staked == Decimal(BIG)
    assert 'data-testid="stake-max"' not in _html(member.get("/wallet/"))  # nothing left to stake


# --- the export ---------------------------------------------------------------------------------


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming and "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_holds_exactly_the_members_rows_with_the_ledgers_amounts(member):
    other = funded_user("777.000000000000000007")
    services.stake_create(user=other, amount=Decimal("7"))
    services.stake_create(user=member.user, amount=Decimal("2.5"))
    services.deposit_create(user=member.user, amount=Decimal("3"), memo="=HYPERLINK(evil)")
    rows = _csv(member.get("/wallet/transactions.csv"))
    assert list(rows[0]) == list(EXPORT_FIELDS)
    mine = Transaction.objects.filter(user=member.user).order_by("-created_at", "-id")
    assert [int(r["id"]) for r in rows] == [t.pk for t in mine]
    for row, t in zip(rows, mine, strict=True):
        assert row["amount"] == amount_out(t.amount) and Decimal(row["amount"]) == t.amount
        assert (row["available_after"], row["staked_after"], row["held_after"]) == (
            amount_out(t.available_after),
            amount_out(t.staked_after),
            amount_out(t.held_after),
        )
        assert (row["kind"], row["status"], row["direction"]) == (t.kind, t.status, t.direction)
    text = b"".join(member.get("/wallet/transactions.csv").streaming_content).decode()
    for t in Transaction.objects.filter(user=other):
        assert f"\r\n{t.pk}," not in text
    assert "777.000000000000000007" not in text and "770.000000000000000007" not in text
    assert next(r for r in rows if r["memo"].endswith("evil)"))["memo"] == "'=HYPERLINK(evil)"
    # The page's filters apply; a bad one is a 400; a visitor is sent to log in.
    assert [r["kind"] for r in _csv(member.get("/wallet/transactions.csv", {"kind": "stake"}))] == ["stake"]
    assert member.get("/wallet/transactions.csv", {"kind": "bogus"}).status_code == 400
    assert Client().get("/wallet/transactions.csv").status_code == 302


def test_export_reads_the_ledger_in_keyset_chunks(member):
    same = timezone.now() - timedelta(hours=1)  # rows sharing one instant: the id breaks the tie
    with time_machine.travel(same, tick=False):
        for n in range(4):
            services.stake_create(user=member.user, amount=Decimal(n + 1))
    for n in range(4, 7):
        services.stake_create(user=member.user, amount=Decimal(n + 1))
    everything = list(selectors.transaction_list_for_user(user=member.user).values_list(*EXPORT_FIELDS))
    for size in (1, 2, 3, 8, 100):
        assert list(selectors.transaction_export_for_user(user=member.user, chunk_size=size)) == everything
    stakes = selectors.transaction_list_for_user(user=member.user).filter(kind="stake")
    assert len(list(selectors.transaction_export_for_user(user=member.user, rows=stakes, chunk_size=2))) == 7


# --- the balance chart ----------------------------------------------------------------------------


def test_series_is_the_ledgers_balances_after(member, settings):
    user = member.user
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 1
    address = WalletAddressFactory(wallet=user.wallet)
    services.stake_create(user=user, amount=Decimal("100"))
    services.unstake_create(user=user, amount=Decimal("40"))  # pending: held
    withdrawal = services.withdrawal_request(user=user, amount=Decimal("7"), address_id=address.pk)
    operator = UserFactory(roles=["operator"])  # nobody approves their own withdrawal
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, actor=operator)  # settles: no new row
    services.unstake_release_due(now=timezone.now() + timedelta(hours=2))  # settles: held -> available
    start = timezone.now() - timedelta(hours=1)
    points = selectors.balance_series_for_user(user=user, since=start, until=timezone.now() + timedelta(hours=3))
    rows = {t.pk: t for t in Transaction.objects.filter(user=user)}
    assert points[0].event == "start" and points[0].at == start
    assert (points[0].available, points[0].staked, points[0].held) == (0, 0, 0)
    for point in points:
        if point.event == "row":
            row = rows[point.transaction_id]
            assert (point.available, point.staked, point.held) == (
                row.available_after,
                row.staked_after,
                row.held_after,
            )
    assert [p.event for p in points[1:]].count("row") == len(rows)
    assert [p.event for p in points].count("settled") == 2
    wallet = Wallet.objects.get(user=user)
    last = points[-1]
    assert (last.available, last.staked, last.held) == (wallet.available, wallet.staked, wallet.held)
    assert last.held == 0 and wallet.total == Decimal(BIG) - 7


def test_series_starts_from_the_last_row_before_the_window():
    now = timezone.now()
    # Ledger rows are never backdated: they are written at those times.
    with time_machine.travel(now - timedelta(days=200), tick=False):
        user = funded_user("50")
    with time_machine.travel(now - timedelta(days=100), tick=False):
        services.stake_create(user=user, amount=Decimal("20"))
    services.stake_create(user=user, amount=Decimal("5"))
    points = selectors.balance_series_for_user(user=user, since=now - timedelta(days=90))
    assert [(p.event, p.available, p.staked) for p in points] == [
        ("start", Decimal(30), Decimal(20)),
        ("row", Decimal(25), Decimal(25)),
    ]


def test_chart_is_drawn_with_a_text_alternative(member):
    services.stake_create(user=member.user, amount=Decimal("1000"))
    response = member.get("/wallet/")
    html = _html(response)
    assert (
        'role="img" aria-label="Available, staked and held balances over time" aria-describedby="chart-summary"' in html
    )
    for key in ("available", "staked", "held"):
        assert f'class="chart-line chart-line-{key}"' in html
    summary = re.search(r'data-testid="chart-summary">([^<]+)', html)[1]
    assert "2 movements" in summary and "from 0 to 1,234,567.123456789012345678 OGC" in summary
    assert "1,233,567.123456789012345678 available, 1,000 staked, 0 held" in summary
    last = response.context["chart_rows"][-1][1]
    assert (last.available, last.staked, last.held) == (Decimal(BIG) - 1000, Decimal(1000), Decimal(0))


# --- query counts -----------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_wallet_page_queries_do_not_grow_with_the_ledger(member):
    address = WalletAddressFactory(wallet=member.user.wallet)
    for _ in range(3):
        services.stake_create(user=member.user, amount=Decimal("1"))
    services.withdrawal_request(user=member.user, amount=Decimal("1"), address_id=address.pk)
    few = _queries(member, "/wallet/")
    for _ in range(30):
        services.stake_create(user=member.user, amount=Decimal("1"))
        services.deposit_create(user=member.user, amount=Decimal("2"), memo="more")
    services.withdrawal_request(user=member.user, amount=Decimal("1"), address_id=address.pk)
    assert _queries(member, "/wallet/") == few
    assert (
        few == 12
    )  # session, user, wallet, the chart (2), the page count and rows, pending withdrawals, addresses (3), unread count
    assert _queries(member, "/wallet/?kind=stake&period=30d") == few
