"""Operator console for accounts: members and staff, their wallet (read-only), the
password-reset action. The User admin's search (email, display name) also serves every
member autocomplete of the console (deposits, adjustments, badges)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.models import User
from accounts.services import password_reset_send
from core.admin import ConsoleAdminMixin, ReadOnlyAdminMixin, amount_html, change_url
from core.admin_site import Chart, SearchHit, Series, daily, register_chart, register_search
from core.permissions import ROLE_MEMBER
from wallets.models import Wallet


class UniqueEmailMixin:
    """The unique index on ``users.email`` does not see allauth's addresses: refuse an
    address another account holds as a secondary one too (``email_in_use``)."""

    def clean_email(self):
        email = self.cleaned_data["email"]  # type: ignore[attr-defined]
        if email and selectors.email_in_use(email=email, exclude_user_id=self.instance.pk):  # type: ignore[attr-defined]
            raise forms.ValidationError(_("A user with this email address already exists."), code="unique")
        return email


class UserCreationForm(UniqueEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UniqueEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class WalletInline(ReadOnlyAdminMixin, admin.StackedInline):
    """The user's wallet, read-only: balances change only through ledger services."""

    model = Wallet
    can_delete = False
    extra = 0
    max_num = 1
    fields = ("available_col", "staked_col", "held_col", "deposit_address", "wallet_link", "created_at")
    readonly_fields = fields

    @admin.display(description="available")
    def available_col(self, obj: Wallet) -> str:
        return amount_html(obj.available, symbol=obj.token_symbol)

    @admin.display(description="staked")
    def staked_col(self, obj: Wallet) -> str:
        return amount_html(obj.staked, symbol=obj.token_symbol)

    @admin.display(description="held")
    def held_col(self, obj: Wallet) -> str:
        return amount_html(obj.held, symbol=obj.token_symbol)

    @admin.display(description="ledger")
    def wallet_link(self, obj: Wallet) -> str:
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">Wallet and its last transactions</a> · <a href="{}?user__id__exact={}">All transactions</a>',
            change_url("wallets", "wallet", obj.pk),
            reverse("admin:wallets_transaction_changelist"),
            obj.user_id,
        )


def _stronger_than_member(user: User) -> bool:
    """Staff, superusers, and anyone holding a role beyond member: the API grants
    roles by group alone (``core.permissions.has_role``), staff or not."""
    return user.is_staff or user.is_superuser or user.groups.exclude(name=ROLE_MEMBER).exists()


@admin.register(User)
class UserAdmin(ConsoleAdminMixin, DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    inlines = [WalletInline]
    ordering = ("-date_joined",)
    list_display = ("email", "display_name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "country", "date_joined")
    search_fields = ("email", "display_name")
    readonly_fields = ("date_joined", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "avatar_url", "country", "locale", "timezone")}),
        # Access is given by roles (groups synchronised from accounts/roles.py), not by
        # per-account permissions: the form does not offer them (a side door past the
        # roles, and 160 options rendered on every account page: 50 ms of each view).
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("date_joined", "last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)

    # Only superusers may grant access or touch staff accounts: an operator with
    # ``change_user`` supports members (profile, active flag) but can neither
    # promote anyone nor reset the password of an account stronger than a member.
    ACCESS_FIELDS = ("email", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += self.ACCESS_FIELDS
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and _stronger_than_member(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    # Setting someone's password would let an operator sign in as that member (and
    # move their tokens): only superusers may. Operators send the member a reset
    # link instead, which only the mailbox owner can use.
    actions = ["send_password_reset"]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Email a password-reset link", permissions=["change"])
    def send_password_reset(self, request, queryset):
        sent = 0
        for user in queryset:
            if not request.user.is_superuser and _stronger_than_member(user):
                continue
            sent += password_reset_send(user=user, actor=request.user, request=request)
        skipped = queryset.count() - sent
        self.message_user(request, f"Sent {sent} password-reset link(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped} account(s) that only a superuser may manage or that are inactive.",
                messages.WARNING,
            )

    def get_inlines(self, request, obj):
        # The wallet exists only once the user does (User.save creates it).
        return self.inlines if obj is not None else []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "bio":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# --- dashboard and search ------------------------------------------------------------------------


@register_chart("accounts.new_members", order=20, permissions=["accounts.view_user"])
def new_members_chart(start, days) -> Chart:
    counts = daily(selectors.members_joined_per_day(since=start), days)
    total = sum(counts)
    return Chart(
        title="New members",
        days=days,
        series=[Series("Sign-ups", counts)],
        summary=f"{total:,} accounts created over the last {len(days)} days; {counts[-1] if counts else 0} today.",
        url=reverse("admin:accounts_user_changelist") + "?date_joined__gte=" + start.date().isoformat(),
    )


@register_search("Members", order=10, permissions=["accounts.view_user"])
def search_members(query: str, limit: int) -> list[SearchHit]:
    if query.startswith(("0x", "#")) or query.isdigit():
        return []
    return [
        SearchHit(
            user.email,
            " · ".join(
                p
                for p in (user.display_name, f"joined {user.date_joined:%Y-%m-%d}", "staff" if user.is_staff else "")
                if p
            ),
            change_url("accounts", "user", user.pk) or "",
        )
        for user in selectors.members_search(query=query, limit=limit)
    ]
