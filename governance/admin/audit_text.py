"""How an audit entry reads in the console: diff values for people, the named action
and its details, and what the entry is about as it reads today (``LABELS``, looked up
for a whole page in one query)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Model, Value
from django.db.models.functions import Cast
from django.utils.html import format_html
from django.utils.safestring import SafeString

from challenges.models import Badge, Challenge, Submission, UserBadge
from core.amounts import format_amount
from governance.models import Proposal
from subscriptions.models import Subscription
from wallets.models import Transaction, Wallet, WalletAddress

ACTION_NAMES = {value: label for value, label in LogEntry.Action.choices}
NAMED_PREFIX = "action: "  # core.audit.audit_record writes changes_text = "action: <name>"
_AMOUNT_TEXT = re.compile(r"^-?\d+\.\d{18}$")


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


def _type_label(content_type_id: int | None) -> str:
    if content_type_id is None:
        return ""
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _named_from_text(text: str) -> str:
    return text[len(NAMED_PREFIX) :] if text and text.startswith(NAMED_PREFIX) else ""
