"""The words members read never leak internals (issue #14, "done when"): no page or
email shows a setting name, a raw enum value or an unformatted amount.

The demo world (``seed --demo``) gives every page something to show. The member pages
are fetched with the test client as alice (a member with history), frank (a
subscription past due) and the operator (staff: the admin link, no history of their
own); the emails are those the queued notifications of the whole world produce,
delivered by the email sender into ``mail.outbox``. Each page's and email's **visible
text** (tags stripped; ``<script>``, ``<style>`` and attributes ignored) must not
contain:

* a setting-like name: ``OGC_…``;
* a raw value of one of our ``TextChoices`` written as a word, when it differs from
  its label and has an underscore (``past_due``, ``deposit_credited``): a template
  showed ``status`` instead of ``get_status_display``; likewise a plan's feature
  code (``extra_submissions``), which the pages write in words;
* an unformatted amount: more than 6 decimals (the stored 18) or trailing zeros after
  the point (``12.500``): a template forgot ``token_amount``.

The failure lists each page or email with the offending text in its context.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client

from accounts.models import User
from challenges.models import Challenge
from governance.models import Proposal
from notifications.delivery import deliver_email
from notifications.kinds import Channel
from notifications.models import DeliveryStatus, NotificationDelivery
from subscriptions.models import Plan

pytestmark = pytest.mark.django_db

LOCAL_APPS = ("core", "accounts", "wallets", "notifications", "subscriptions", "challenges", "governance")
READERS = ("alice@demo.ogc.local", "frank@demo.ogc.local", "operator@demo.ogc.local")
SETTING_NAME = re.compile(r"\bOGC_[A-Z_]+\b")
URL = re.compile(r"https?://\S+")
UNFORMATTED_AMOUNT = re.compile(r"\d+\.\d{7,}|\d+\.\d*0\b")
#: Characters of context shown around a finding.
CONTEXT = 40


class _VisibleText(HTMLParser):
    """The text a reader meets: data outside <script> and <style>, no attributes."""

    SKIPPED = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _text_choices() -> list[type[models.TextChoices]]:
    found, pending = [], list(models.TextChoices.__subclasses__())
    while pending:
        choices = pending.pop()
        pending.extend(choices.__subclasses__())
        if choices.__module__.split(".")[0] in LOCAL_APPS:
            found.append(choices)
    return found


def raw_enum_values() -> set[str]:
    """Values of our TextChoices that a reader should only ever see as their label,
    and the plans' feature codes."""
    assert apps.ready
    values = {
        choice.value
        for choices in _text_choices()
        for choice in choices
        if "_" in choice.value and choice.value != str(choice.label)
    }
    features = {feature for plan in Plan.objects.all() for feature in plan.features or []}
    return values | {feature for feature in features if "_" in feature}


def leaks(text: str, enum_values: set[str]) -> list[str]:
    """Each leak in ``text``: what kind, the offending text and its context. Links
    written out (an email's "http://127.0.0.1:8000/...") are not words."""
    text = re.sub(r"\s+", " ", URL.sub("<link>", text))
    enum_word = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, enum_values), key=len, reverse=True)) + r")\b")
    found = []
    for kind, pattern in (("setting name", SETTING_NAME), ("enum value", enum_word), ("amount", UNFORMATTED_AMOUNT)):
        for match in pattern.finditer(text):
            start, end = max(match.start() - CONTEXT, 0), match.end() + CONTEXT
            found.append(f"{kind} {match.group()!r} in …{text[start:end]}…")
    return found


def member_pages(user: User) -> list[str]:
    """The main member pages, with each challenge and proposal the member can see."""
    pages = [
        "/", "/dashboard/", "/wallet/", "/challenges/", "/badges/", f"/u/{user.pk}/", "/governance/",
        "/governance/new/", "/notifications/", "/notifications/preferences/", "/subscription/", "/profile/",
    ]  # fmt: skip
    for slug in Challenge.objects.order_by("pk").values_list("slug", flat=True):
        pages += [f"/challenges/{slug}/", f"/challenges/{slug}/leaderboard/"]
    for pk in Proposal.objects.order_by("pk").values_list("pk", flat=True):
        pages += [f"/governance/{pk}/", f"/governance/{pk}/results/"]
    return pages


def _fetch(client: Client, path: str) -> tuple[str, list[str]]:
    """The page, and the next pages of its paginated list (``?page=n``)."""
    response = client.get(path, follow=True)
    texts, number = [], 1
    while response.status_code == 200:
        html = response.content.decode()
        texts.append(visible_text(html))
        number += 1
        if f"?page={number}" not in html and f"&amp;page={number}" not in html:
            break
        response = client.get(f"{path}?page={number}")
    return str(response.status_code), texts


def deliver_queued_emails() -> None:
    """Send every queued email delivery (what the worker would do) into mail.outbox."""
    queued = NotificationDelivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.QUEUED)
    while ids := list(queued.values_list("pk", flat=True)):
        outcome = deliver_email(delivery_ids=ids)
        assert outcome.sent or outcome.failed, f"email deliveries stuck: {ids[:5]}"


def test_no_page_or_email_shows_a_setting_name_an_enum_value_or_a_raw_amount():
    call_command("seed", "--demo", stdout=io.StringIO())
    enum_values = raw_enum_values()
    assert {"past_due", "deposit_credited", "extra_submissions"} <= enum_values  # the collection works

    problems: list[str] = []
    fetched = 0
    for email in READERS:
        client = Client()
        user = User.objects.get(email=email)
        client.force_login(user)
        for path in member_pages(user):
            status, texts = _fetch(client, path)
            if not texts:
                problems.append(f"{email} {path}: status {status}")
            for number, text in enumerate(texts, start=1):
                fetched += 1
                where = f"{email} {path}" + (f" (page {number})" if number > 1 else "")
                problems.extend(f"{where}: {leak}" for leak in leaks(text, enum_values))

    mail.outbox.clear()
    deliver_queued_emails()
    assert len(mail.outbox) >= 10, "the demo world's notifications should send emails"
    for message in mail.outbox:
        where = f"email to {message.to[0]} “{message.subject}”"
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        for part, text in (("subject", message.subject), ("text", message.body), ("html", visible_text(html))):
            problems.extend(f"{where} ({part}): {leak}" for leak in leaks(text, enum_values))

    assert fetched > 30
    assert not problems, f"{len(problems)} leak(s) in what members read:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Set OGC_PROPOSAL_MIN_STAKE first.", "setting name 'OGC_PROPOSAL_MIN_STAKE'"),
        ("Status: past_due", "enum value 'past_due'"),
        ("You got 12.500000000000000000 OGC", "amount '12.500000000000000000'"),
        ("You got 12.50 OGC", "amount '12.50'"),
        ("Open http://127.0.0.1:8000/wallet/ to see 12.5 OGC; a past-due plan", None),
    ],
)
def test_the_check_finds_each_kind_of_leak(text, found):
    result = leaks(text, {"past_due", "deposit_credited"})
    if found is None:
        assert result == []
    else:
        assert len(result) == 1 and result[0].startswith(found), result
