"""Operator console for governance: staff accounts, proposals, votes, the audit log.

* Admin accounts: every staff user with roles, last login and active flag; created,
  changed and disabled by superusers only (never deleted: their audit trail stays
  attributable); everyone else with the view permission (auditors) only reads.
* The audit log (django-auditlog's LogEntry) is read-only for everyone, superusers
  included: no add, no change, no delete, no bulk delete. It reads as who did what to
  which object, from where and when: the actor by email and display name (or the
  command that ran), the action by its ``AuditAction`` name for named entries (else
  create/update/delete), the object by what it is today ("Wallet of ada@…", "#812
  Withdrawal 50 OGC · ada@…", linked to its admin page; the stored ``object_repr``
  when it is gone), the change as before → after. Updates that changed nothing are
  hidden unless asked for. It is a big table: estimated counts, keyset links, no joins.
* Proposals are created on the site/API (the author's stake is checked there); the
  admin reads them and runs the cancel/close actions through the same services.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Model, Q, Value
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.admin import UserAdmin
from challenges.models import Badge, Challenge, Submission, UserBadge
from core.admin import (
    ConsoleAdminMixin,
    CsvExportMixin,
    LargeTableAdminMixin,
    ReadOnlyAdminMixin,
    change_url,
    member_html,
    pill,
    run_admin_action,
    user_change_url,
    when_html,
)
from core.admin_site import ATTENTION, OK, SearchHit, Tile, register_search, register_tile
from core.amounts import format_amount
from core.audit import AuditAction
from governance.models import Admin, Proposal, Vote
from governance.selectors import proposals_closing_within
from governance.services import admin_set_active, proposal_cancel, proposal_close
from subscriptions.models import Subscription
from wallets.models import Transaction, Wallet, WalletAddress

CLOSING_HOURS = 24


@admin.register(Admin)
class AdminAccountAdmin(UserAdmin):
    list_display = ("email", "display_name", "roles", "is_active", "is_superuser", "last_login", "date_joined")
    list_filter = ("is_active", "is_superuser", "groups")
    inlines: list = []
    readonly_fields = ("date_joined", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        ("Access", {"fields": ("is_active", "is_superuser", "groups")}),
        ("Dates", {"fields": ("date_joined", "last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "groups")}),)
    filter_horizontal = ("groups",)
    actions = ["disable_accounts", "enable_accounts"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj: Admin) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # disable instead: the account stays the actor of its audit entries

    def _set_active(self, request, queryset, *, active: bool) -> None:
        run_admin_action(
            self,
            request,
            queryset,
            operation=lambda account: admin_set_active(admin_id=account.pk, active=active, actor=request.user) and None,
            label=lambda account: account.email,
            success=lambda n: f"{n} account(s) {'enabled' if active else 'disabled'}.",
        )

    @admin.action(description="Disable selected accounts", permissions=["change"])
    def disable_accounts(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Enable selected accounts", permissions=["change"])
    def enable_accounts(self, request, queryset):
        self._set_active(request, queryset, active=True)


RECENT_VOTES = 20


class ClosingSoonFilter(admin.SimpleListFilter):
    title = "voting"
    parameter_name = "closing"

    def lookups(self, request, model_admin):
        return [("24h", f"Closing within {CLOSING_HOURS} h")]

    def queryset(self, request, queryset):
        if self.value() == "24h":
            return queryset.filter(pk__in=proposals_closing_within(hours=CLOSING_HOURS).values("pk"))
        return queryset


@admin.register(Proposal)
class ProposalAdmin(ConsoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "author",
        "status_pill",
        "voting_starts_at",
        "voting_ends",
        "outcome",
        "winning_choice",
    )
    list_filter = (ClosingSoonFilter, "status", "outcome", "quorum_met")
    search_fields = ("title", "author__email")
    list_select_related = ("author",)
    date_hierarchy = "created_at"
    actions = ["cancel_proposals", "close_ended_proposals"]
    readonly_fields = (
        "title",
        "body",
        "author",
        "status",
        "choices",
        "voting_starts_at",
        "voting_ends_at",
        "snapshot_at",
        "quorum_share",
        "tally",
        "total_weight",
        "total_staked_at_snapshot",
        "quorum_met",
        "outcome",
        "winning_choice",
        "published_at",
        "closed_at",
        "canceled_at",
        "created_at",
        "updated_at",
        "votes",
    )

    @admin.display(description=f"votes (the last {RECENT_VOTES})")
    def votes(self, obj: Proposal) -> SafeString:
        """The latest votes and a link to all of them (an inline rendered every vote:
        150 rows, 0.15 s, on a busy proposal)."""
        rows = Vote.objects.filter(proposal=obj).select_related("voter").order_by("-updated_at", "-pk")[:RECENT_VOTES]
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td class='ogc-num'>{}</td><td>{}</td></tr>",
            (
                (
                    member_html(v.voter, url=user_change_url(v.voter_id)),
                    v.choice,
                    format_amount(v.weight, grouping=True),
                    when_html(v.updated_at),
                )
                for v in rows
            ),
        )
        url = reverse("admin:governance_vote_changelist") + f"?proposal__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>voter</th><th>choice</th><th>weight</th><th>when</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">All votes on this proposal</a></p>',
            body,
            url,
        )

    @admin.display(description="status", ordering="status")
    def status_pill(self, obj: Proposal) -> SafeString:
        return pill(obj.status, obj.get_status_display())

    @admin.display(description="voting ends", ordering="voting_ends_at")
    def voting_ends(self, obj: Proposal) -> SafeString | str:
        return when_html(obj.voting_ends_at)

    def has_add_permission(self, request) -> bool:
        return False  # proposals come from members (stake checked in proposal_create)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only drafts (never voted on) may be removed; everything else is a public record.
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == "draft")

    def _run(self, request, queryset, *, done: str, service) -> None:
        run_admin_action(
            self,
            request,
            queryset,
            operation=lambda proposal: service(proposal) and None,
            label=lambda proposal: f"#{proposal.pk}",
            success=lambda n: f"{n} proposal(s) {done}.",
        )

    @admin.action(description="Cancel selected proposals", permissions=["change"])
    def cancel_proposals(self, request, queryset):
        self._run(
            request,
            queryset,
            done="canceled",
            service=lambda p: proposal_cancel(proposal_id=p.pk, actor=request.user),
        )

    @admin.action(description="Close selected proposals whose voting has ended", permissions=["change"])
    def close_ended_proposals(self, request, queryset):
        self._run(request, queryset, done="closed", service=lambda p: proposal_close(proposal_id=p.pk))


@admin.register(Vote)
class VoteAdmin(ConsoleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Votes are cast by members only; the admin reads them."""

    list_display = ("id", "proposal", "voter", "choice", "weight", "updated_at")
    list_filter = ("choice",)
    search_fields = ("voter__email", "proposal__title")
    list_select_related = ("proposal", "voter")
    readonly_fields = ("proposal", "voter", "choice", "weight", "created_at", "updated_at")


# --- the audit log ---------------------------------------------------------------------------

ACTION_NAMES = {value: label for value, label in LogEntry.Action.choices}
NAMED_PREFIX = "action: "  # core.audit.audit_record writes changes_text = "action: <name>"
_AMOUNT_TEXT = re.compile(r"^-?\d+\.\d{18}$")
_REQUEST_ID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f-]{36}|cmd:[\w.-]+:[0-9a-f]+)$", re.IGNORECASE)
DIFF_FIELDS_SHOWN = 3


def _value_text(value: Any) -> str:
    """A diff value for people: amounts without the 18 trailing zeros, "—" for nothing."""
    if value in (None, "None", ""):
        return "—"
    if isinstance(value, str) and _AMOUNT_TEXT.match(value):
        try:
            return format_amount(Decimal(value), grouping=True)
        except InvalidOperation:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:120]
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _diff_pairs(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of an entry's changes; m2m changes as "+ added"/"- removed"."""
    pairs = []
    for field, change in (entry.changes_dict or {}).items():
        if isinstance(change, dict):  # auditlog's m2m shape
            sign = "+" if change.get("operation") == "add" else "−"
            objects = ", ".join(str(o) for o in change.get("objects", []))
            pairs.append((field, "", f"{sign} {objects}"))
        elif isinstance(change, list | tuple) and len(change) == 2:
            pairs.append((field, _value_text(change[0]), _value_text(change[1])))
    return pairs


def _pair_html(field: str, before: str, after: str) -> SafeString:
    """``field: before → after``; a field that had no value before shows only its value."""
    if before in ("", "—"):
        return format_html(
            '<span class="ogc-diff__field">{}</span>: <span class="ogc-diff__new">{}</span>', field, after
        )
    return format_html(
        '<span class="ogc-diff__field">{}</span>: <span class="ogc-diff__old">{}</span> → <span class="ogc-diff__new">{}</span>',
        field,
        before,
        after,
    )


def named_action(entry: LogEntry) -> str | None:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return data.get("action")


def _named_details(entry: LogEntry) -> list[tuple[str, str]]:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return [(key, _value_text(value)) for key, value in data.items() if key != "action"]


# What an entry is about, as it reads today. Every object type on the page is looked up
# in ONE query (a UNION ALL of one small SELECT per type, each on its primary keys), so a
# page costs the same number of queries whatever its size and mix of types.


@dataclass(frozen=True)
class _Label:
    """How one object type reads: the model, up to three columns (paths) and a text."""

    model: type[Model]
    columns: tuple[str, ...]
    text: Callable[..., str]


def _amount(value: str) -> str:
    return format_amount(Decimal(value), grouping=True, symbol=True)


LABELS: dict[str, _Label] = {
    "wallets.wallet": _Label(Wallet, ("user__email",), lambda pk, email: f"Wallet of {email}"),
    "wallets.transaction": _Label(
        Transaction,
        ("kind", "amount_text", "user__email"),
        lambda pk, kind, amount, email: f"#{pk} {kind} {_amount(amount)} · {email}",
    ),
    "wallets.walletaddress": _Label(
        WalletAddress,
        ("chain", "address", "wallet__user__email"),
        lambda pk, chain, address, email: f"{chain}:{address[:10]}… of {email}",
    ),
    "accounts.user": _Label(
        get_user_model(), ("email", "display_name"), lambda pk, email, name: f"{email} ({name})" if name else email
    ),
    "challenges.submission": _Label(
        Submission, ("title", "user__email"), lambda pk, title, email: f"“{title}” by {email}"
    ),
    "challenges.challenge": _Label(Challenge, ("title",), lambda pk, title: title),
    "challenges.userbadge": _Label(
        UserBadge, ("badge__name", "user__email"), lambda pk, badge, email: f"{badge} badge of {email}"
    ),
    "challenges.badge": _Label(Badge, ("name",), lambda pk, name: name),
    "subscriptions.subscription": _Label(
        Subscription, ("plan__name", "user__email"), lambda pk, plan, email: f"{plan} plan of {email}"
    ),
    "governance.proposal": _Label(Proposal, ("title",), lambda pk, title: title),
}
LABELS["governance.admin"] = LABELS["accounts.user"]
_WIDTH = 3  # columns per SELECT of the union (shorter ones are padded)


def _label_rows(wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """The labels of ``{type: ids}`` in one query (types without a ``_Label`` keep their
    stored ``object_repr``; an export's object, a table, reads from the type cache)."""
    parts = []
    for type_label, ids in sorted(wanted.items()):
        label = LABELS.get(type_label)
        if label is None:
            continue
        # Every column CAST to text: the same type and collation in each SELECT (MariaDB
        # refuses a UNION of columns with different collations).
        paths = ["amount" if path == "amount_text" else path for path in label.columns]
        columns = {f"c{n}": Cast(F(path), CharField()) for n, path in enumerate(paths)}
        for n in range(len(paths), _WIDTH):
            columns[f"c{n}"] = Cast(Value(""), CharField())
        part = label.model._default_manager.filter(pk__in=sorted(ids)).annotate(
            t=Cast(Value(type_label), CharField()), k=F("pk"), **columns
        )
        parts.append(part.values_list("t", "k", *(f"c{n}" for n in range(_WIDTH))))
    labels: dict[tuple[str, int], str] = {}
    if parts:
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for type_label, pk, *values in union:
            label = LABELS[type_label]
            labels[(type_label, pk)] = label.text(pk, *[str(v) for v in values[: len(label.columns)]])
    for pk in wanted.get("contenttypes.contenttype", ()):
        model = ContentType.objects.get_for_id(pk).model_class()
        if model is not None:
            labels[("contenttypes.contenttype", pk)] = f"{str(model._meta.verbose_name_plural).capitalize()} table"
    return labels


class RowsFilter(admin.SimpleListFilter):
    """Hides updates that changed nothing and name no action (auditlog's "0 changes"
    rows) unless asked for."""

    title = "rows"
    parameter_name = "empty"

    def lookups(self, request, model_admin):
        return [("show", "Include updates that changed nothing")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "With a change or a named action",
        }
        yield {
            "selected": self.value() == "show",
            "query_string": changelist.get_query_string({self.parameter_name: "show"}),
            "display": "All, with updates that changed nothing",
        }

    def queryset(self, request, queryset):
        if self.value() == "show":
            return queryset
        empty = Q(action=LogEntry.Action.UPDATE) & (Q(changes__isnull=True) | Q(changes={})) & Q(changes_text="")
        return queryset.exclude(empty)


class ActionFilter(admin.SimpleListFilter):
    """Create / update / delete, or one named action (``AuditAction``)."""

    title = "action"
    parameter_name = "named"

    def lookups(self, request, model_admin):
        basic = [(f"_{value}", label.capitalize()) for value, label in LogEntry.Action.choices]
        return basic + [(action.value, action.label) for action in AuditAction]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value.startswith("_") and value[1:].isdigit():
            return queryset.filter(action=int(value[1:]))
        return queryset.filter(changes_text=f"{NAMED_PREFIX}{value}")  # idx_logentry_named_action


class ObjectTypeFilter(admin.SimpleListFilter):
    """The audited models (and exports), from auditlog's registry: no scan of the log."""

    title = "object type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        from auditlog.registry import auditlog

        models = sorted(auditlog.get_models(), key=lambda m: m._meta.label_lower)
        choices = [(m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models]
        return [*choices, ("contenttypes.contenttype", "Table (exports)")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        app_label, _, model = self.value().partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type_id=content_type.pk)


class ActorFilter(admin.SimpleListFilter):
    """Staff accounts (a short list), or entries with no actor (jobs, commands)."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("email").values_list("pk", "email")[:50]
        return [("system", "System and commands"), *((str(pk), email) for pk, email in staff)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "system":
            return queryset.filter(actor_id__isnull=True)
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


class RequestFilter(admin.SimpleListFilter):
    """``?cid=<request id>``: every entry of one request or command run."""

    title = "request"
    parameter_name = "cid"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        return queryset.filter(cid=self.value()) if self.value() else queryset


def _type_label(content_type_id: int | None) -> str:
    if content_type_id is None:
        return ""
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _named_from_text(text: str) -> str:
    return text[len(NAMED_PREFIX) :] if text and text.startswith(NAMED_PREFIX) else ""


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogAdmin(CsvExportMixin, LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """django-auditlog's entries as the console's audit log (read-only for everyone)."""

    list_display = ("when", "who", "what", "on", "change", "origin")
    list_display_links = ("when",)
    list_filter = (RowsFilter, ActionFilter, ObjectTypeFilter, ActorFilter, RequestFilter)
    date_hierarchy = "timestamp"
    search_fields = ("=cid",)  # the search itself is get_search_results
    search_help_text = "A member's or operator's email, a request id, an object id (#123) or an IP address."
    prefetch = ("actor",)
    fieldsets = (
        (None, {"fields": ("when_full", "who", "what", "on", "origin")}),
        ("Change", {"fields": ("diff_table", "named_table")}),
        ("As recorded", {"fields": ("object_repr", "actor_email", "cid", "remote_addr", "remote_port")}),
    )
    readonly_fields = (
        "when_full",
        "who",
        "what",
        "on",
        "origin",
        "diff_table",
        "named_table",
        "object_repr",
        "actor_email",
        "cid",
        "remote_addr",
        "remote_port",
    )
    export_columns = (
        ("id", "id"),
        ("timestamp", "timestamp"),
        ("actor", "actor__email"),
        ("actor_email_at_the_time", "actor_email"),
        ("action", "action"),
        ("named_action", "changes_text"),
        ("object_type", "content_type_id"),
        ("object_id", "object_pk"),
        ("object_repr", "object_repr"),
        ("changes", "changes"),
        ("details", "additional_data"),
        ("remote_addr", "remote_addr"),
        ("request_id", "cid"),
    )
    export_converters = {
        "action": lambda value: ACTION_NAMES.get(value, value),
        "named_action": _named_from_text,
        "object_type": _type_label,
    }

    def get_actions(self, request):
        return {}

    def get_ordering(self, request):
        # A date drill-down reads a timestamp range in index order; any other view pages
        # newest-first by id (keyset links), which the content-type and actor indexes
        # serve in order as well (InnoDB appends the id to every secondary index).
        if any(key.startswith("timestamp__") for key in request.GET):
            return ("-timestamp", "-pk")
        return ("-pk",)

    def get_search_results(self, request, queryset, search_term):
        """One indexed lookup per kind of term (an OR over every text column would read
        the whole log): an email (the actor), a request id (``cid``), ``#123`` (the
        object id) or an IP address (remote address)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            users = get_user_model().objects.filter(email__istartswith=term).values_list("pk", flat=True)[:50]
            return queryset.filter(actor_id__in=list(users)), False
        if term.lstrip("#").isdigit():
            return queryset.filter(object_id=int(term.lstrip("#"))), False
        try:
            ipaddress.ip_address(term)
        except ValueError:
            return queryset.filter(cid=term), False
        return queryset.filter(remote_addr=term), False

    def annotate_page(self, request: HttpRequest, rows: list[LogEntry]) -> None:
        """What each entry is about, as it reads today (one query per object type)."""
        wanted: dict[str, set[int]] = defaultdict(set)
        for entry in rows:
            if entry.object_id is not None:
                wanted[_type_label(entry.content_type_id)].add(entry.object_id)
        labels = _label_rows(wanted)
        for entry in rows:
            key = (_type_label(entry.content_type_id), entry.object_id)
            entry.console_label = labels.get(key)  # type: ignore[attr-defined]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            name = named_action(obj)
            what = str(AuditAction(name).label) if name in AuditAction.values else ACTION_NAMES.get(obj.action, "")
            context["subtitle"] = f"{what.capitalize()}: {getattr(obj, 'console_label', None) or obj.object_repr}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            self.annotate_page(request, [entry])
        return entry

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description="when", ordering="timestamp")
    def when(self, entry: LogEntry) -> SafeString | str:
        return when_html(entry.timestamp)

    @admin.display(description="when")
    def when_full(self, entry: LogEntry) -> SafeString:
        stamp = timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S %Z")
        return format_html("{} ({})", stamp, when_html(entry.timestamp))

    @admin.display(description="who")
    def who(self, entry: LogEntry) -> SafeString | str:
        if entry.actor_id is not None and entry.actor is not None:
            return member_html(entry.actor, url=user_change_url(entry.actor_id))
        if entry.actor_email:
            return format_html('{} <span class="ogc-muted">(account removed)</span>', entry.actor_email)
        if entry.cid and entry.cid.startswith("cmd:"):
            return format_html('<span class="ogc-muted">command</span> {}', entry.cid.split(":")[1])
        return format_html('<span class="ogc-muted">{}</span>', "system")

    @admin.display(description="action")
    def what(self, entry: LogEntry) -> SafeString:
        name = named_action(entry)
        if name:
            try:
                label = AuditAction(name).label
            except ValueError:
                label = name
            return pill("named", str(label))
        return pill({0: "create", 1: "update", 2: "delete"}.get(entry.action, "access"), ACTION_NAMES.get(entry.action))

    @admin.display(description="on")
    def on(self, entry: LogEntry) -> SafeString:
        content_type = ContentType.objects.get_for_id(entry.content_type_id)
        kind = str(content_type.name).capitalize()
        label = getattr(entry, "console_label", None)
        url = change_url(content_type.app_label, content_type.model, entry.object_id or entry.object_pk)
        if label is None:
            label = entry.object_repr
            resolvable = (
                f"{content_type.app_label}.{content_type.model}" in LABELS or content_type.model == "contenttype"
            )
            if resolvable or entry.action == LogEntry.Action.DELETE:
                label, url = f"{label} (no longer exists)", None  # resolvable kinds resolve unless gone
        text = format_html('<span class="ogc-muted">{}</span><br>{}', kind, label)
        return format_html('<a href="{}">{}</a>', url, text) if url else text

    @admin.display(description="change")
    def change(self, entry: LogEntry) -> SafeString | str:
        if named_action(entry):
            details = _named_details(entry)[:DIFF_FIELDS_SHOWN]
            if not details:
                return ""
            items = format_html_join("", '<li><span class="ogc-diff__field">{}</span>: {}</li>', details)
            return format_html('<ul class="ogc-diff">{}</ul>', items)
        pairs = _diff_pairs(entry)
        if not pairs:
            return format_html('<span class="ogc-muted">{}</span>', "no change")
        shown = format_html_join("", "<li>{}</li>", ((_pair_html(*pair),) for pair in pairs[:DIFF_FIELDS_SHOWN]))
        more = len(pairs) - DIFF_FIELDS_SHOWN
        extra = format_html('<li class="ogc-muted">+ {} more</li>', more) if more > 0 else ""
        return format_html('<ul class="ogc-diff">{}{}</ul>', shown, extra)

    @admin.display(description="from")
    def origin(self, entry: LogEntry) -> SafeString | str:
        parts = []
        if entry.remote_addr:
            parts.append(f'<span class="ogc-code">{escape(entry.remote_addr)}</span>')
        if entry.cid:
            url = f"{_log_url()}?cid={quote_plus(entry.cid)}"
            short = entry.cid if entry.cid.startswith("cmd:") else entry.cid[:8] + "…"
            parts.append(
                f'<a href="{escape(url)}" class="ogc-code" title="Every entry of request {escape(entry.cid)}">'
                f"{escape(short)}</a>"
            )
        return mark_safe("<br>".join(parts)) if parts else "—"  # noqa: S308 - every part escaped

    @admin.display(description="before → after")
    def diff_table(self, entry: LogEntry) -> SafeString | str:
        pairs = _diff_pairs(entry)
        if not pairs:
            return "No field changed."
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="ogc-diff__old">{}</td><td class="ogc-diff__new">{}</td></tr>',
            pairs,
        )
        return format_html(
            '<table class="ogc-diff-table"><thead><tr><th scope="col">field</th><th scope="col">before</th>'
            '<th scope="col">after</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="details of the action")
    def named_table(self, entry: LogEntry) -> SafeString | str:
        details = _named_details(entry)
        if not details:
            return "—"
        rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', details)
        return format_html('<table class="ogc-diff-table"><tbody>{}</tbody></table>', rows)


@lru_cache(maxsize=1)
def _log_url() -> str:
    return reverse("admin:auditlog_logentry_changelist")


def _query(params: dict[str, str]) -> str:
    from django.utils.http import urlencode

    return urlencode(params)


# --- dashboard and search ----------------------------------------------------------------------


@register_tile("governance.proposals_closing", order=30, permissions=["governance.view_proposal"])
def proposals_tile(request: HttpRequest) -> Tile:
    closing = list(proposals_closing_within(hours=CLOSING_HOURS).values_list("voting_ends_at", flat=True)[:100])
    count = len(closing)
    detail = ""
    if closing:
        detail = f"first closes {timezone.localtime(closing[0]):%b %-d %H:%M} UTC"
    return Tile(
        title=f"Proposals closing within {CLOSING_HOURS} h",
        value=f"{count:,}",
        detail=detail,
        url=reverse("admin:governance_proposal_changelist") + "?closing=24h",
        state=ATTENTION if count else OK,
        action="View",
    )


@register_search("Audit log (request id)", order=90, permissions=["auditlog.view_logentry"])
def search_requests(query: str, limit: int) -> list[SearchHit]:
    if not _REQUEST_ID.match(query):
        return []
    count = LogEntry.objects.filter(cid=query).count()
    if not count:
        return []
    url = reverse("admin:auditlog_logentry_changelist") + "?" + _query({"cid": query, "empty": "show"})
    return [SearchHit(f"Request {query}", f"{count} audit entr{'y' if count == 1 else 'ies'}", url)]
