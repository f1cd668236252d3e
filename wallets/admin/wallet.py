"""Wallets (balances, deposit address, the last transactions) and the withdrawal
addresses members registered: read-only for everyone."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin, amount_html, member_html, pill, user_change_url, when_html
from wallets.models import TransactionStatus, Wallet, WalletAddress

RECENT_ROWS = 20


class WalletAddressInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WalletAddress
    extra = 0
    can_delete = False
    fields = ("chain", "address", "label", "created_at")
    readonly_fields = fields


@admin.register(Wallet)
class WalletAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "member", "available_col", "staked_col", "held_col", "deposit_address_col", "updated")
    search_fields = ("user__email", "user__display_name", "=deposit_address", "=id")
    list_select_related = ("user",)
    fields = (
        "member",
        "token_symbol",
        "available_col",
        "staked_col",
        "held_col",
        "deposit_address",
        "created_at",
        "updated_at",
    )
    readonly_fields = (*fields, "recent_transactions")
    inlines = [WalletAddressInline]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        return (*self.fields, "recent_transactions")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = f"Wallet of {obj.user.email}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="member", ordering="user__email")
    def member(self, obj: Wallet) -> str:
        return member_html(obj.user, url=user_change_url(obj.user_id))

    @admin.display(description="available", ordering="available")
    def available_col(self, obj: Wallet) -> str:
        return amount_html(obj.available, symbol=obj.token_symbol)

    @admin.display(description="staked", ordering="staked")
    def staked_col(self, obj: Wallet) -> str:
        return amount_html(obj.staked, symbol=obj.token_symbol)

    @admin.display(description="held", ordering="held")
    def held_col(self, obj: Wallet) -> str:
        return amount_html(obj.held, symbol=obj.token_symbol)

    @admin.display(description="deposit address")
    def deposit_address_col(self, obj: Wallet) -> str:
        return format_html('<span class="ogc-code">{}</span>', obj.deposit_address)

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj: Wallet) -> str:
        return when_html(obj.updated_at)

    @admin.display(description=f"last {RECENT_ROWS} transactions")
    def recent_transactions(self, obj: Wallet) -> str:
        rows = obj.transactions.with_state().order_by("-id")[:RECENT_ROWS]
        url = reverse("admin:wallets_transaction_changelist")
        body = format_html_join(
            "",
            "<tr><td><a href='{}'>#{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class='ogc-num'>{}</td>"
            "<td class='ogc-num'>{}</td></tr>",
            (
                (
                    reverse("admin:wallets_transaction_change", args=[r.pk]),
                    r.pk,
                    when_html(r.created_at),
                    r.get_kind_display(),
                    pill(r.state, TransactionStatus(r.state).label),
                    amount_html(r.amount, direction=r.direction, symbol=False),
                    amount_html(r.available_after, symbol=False),
                )
                for r in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>id</th><th>when</th><th>kind</th><th>status</th><th>amount</th>"
            "<th>available after</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}?wallet__id__exact={}">All transactions of this wallet</a></p>',
            body,
            url,
            obj.pk,
        )


@admin.register(WalletAddress)
class WalletAddressAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("address_col", "chain", "label", "member", "created_at")
    list_filter = ("chain",)
    search_fields = ("=address", "wallet__user__email", "label")
    list_select_related = ("wallet__user",)

    @admin.display(description="address", ordering="address")
    def address_col(self, obj: WalletAddress) -> str:
        return format_html('<span class="ogc-code">{}</span>', obj.address)

    @admin.display(description="member")
    def member(self, obj: WalletAddress) -> str:
        return member_html(obj.wallet.user, url=user_change_url(obj.wallet.user_id))
