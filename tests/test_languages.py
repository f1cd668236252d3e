"""The second language, end to end: Spanish chosen by the browser (Accept-Language) or
by the footer's switcher (the language cookie) on pages and the API, and written into
what is sent to a member (notifications, emails) in their profile's language."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory, login_fresh
from conftest import make_token_client
from core.permissions import ROLE_MEMBER
from tests.layout_world import build_layout_world
from wallets import services as wallet_services

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}

#: English words of our own pages (menu, footer, headings, table heads, messages of
#: the services) that must not survive on a page served in Spanish. Data (challenge
#: titles, memos, operators' announcements) stays as written and is not listed.
ENGLISH_TEXT = {
    "Dashboard", "Wallet", "Challenges", "Badges", "Subscription", "Governance", "Notifications",
    "Log out", "Menu", "Language", "Change language", "Skip to main content", "Available", "Staked",
    "Held", "Transactions", "Status", "Actions", "Leaderboard", "Rank", "Plans", "History",
    "Your vote", "Preferences", "Save profile", "Time zone", "Display name", "Deposit credited",
    "Stake", "Unstake", "Withdraw", "Pending", "Completed", "Submitted", "Active", "Closed",
    "Amount", "Address", "Chain", "Label", "Max", "Fee", "Change", "What happens",
    "Your balances after", "For", "Against", "Abstain", "Your choice", "Committed staker",
}  # fmt: skip
#: Phrases, and " UTC" after a date: the member lives in Madrid, so their pages name CET/CEST.
ENGLISH_PHRASES = (
    " ago", "Page 1 of", "were credited to your wallet", "awaits approval", "Welcome to OGC", " UTC",
    "OGC_BADGE_STAKER_MIN", "Check your",
)  # fmt: skip

MAIN_PAGES = [
    "/", "/dashboard/", "/wallet/", "/challenges/", "/challenges/{open_challenge}/",
    "/challenges/{past_challenge}/leaderboard/", "/badges/", "/u/{member}/", "/subscription/",
    "/governance/", "/governance/{open_proposal}/", "/governance/{closed_proposal}/results/",
    "/notifications/", "/notifications/preferences/", "/profile/",
]  # fmt: skip
#: Pages reached by a POST: the wallet's confirmation step (nothing moves).
REVIEW_PAGES = [
    ("/wallet/stake/review/", {"stake-amount": "1", "stake-token": "es-review-1"}),
    ("/wallet/unstake/review/", {"unstake-amount": "1", "unstake-token": "es-review-2"}),
    ("/wallet/withdraw/review/", {"withdraw-amount": "1", "withdraw-token": "es-review-3", "withdraw-address": "{address}"}),
    ("/wallet/send/review/", {"send-amount": "1", "send-token": "es-review-4", "send-recipient": "someone@example.test", "send-memo": "hola"}),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _back_to_english():
    """LocaleMiddleware leaves the last request's language active in the thread: the
    tests after these must not run in Spanish."""
    yield
    translation.deactivate()


def _texts(page: str) -> list[str]:
    """The text nodes and the labelled attributes a reader meets."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"<option\b[^>]*>.*?</option>", "", page, flags=re.S)  # the language names, the time zones
    attributes = re.findall(r'(?:aria-label|title|placeholder|data-label|alt)="([^"]*)"', page)
    nodes = [html.unescape(text).strip() for text in re.split(r"<[^>]+>", page)]
    return [text for text in nodes + attributes if text]


def test_the_menu_follows_the_browsers_language(client):
    member = UserFactory()
    client.force_login(member)
    page = client.get("/dashboard/", **SPANISH).content.decode()
    assert '<html lang="es"' in page
    for word in ("Panel", "Monedero", "Retos", "Insignias", "Gobernanza", "Cerrar sesión"):
        assert f"{word}</" in page, word
    english = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english and "Log out</" in english


def test_the_footer_switcher_sets_the_language_for_the_next_pages(client):
    page = client.get("/").content.decode()
    form = re.search(r'<form class="language-form[^"]*" method="post" action="([^"]+)"', page)
    assert form and form.group(1) == "/i18n/setlang/"
    assert 'name="csrfmiddlewaretoken"' in page[form.start() :]
    assert '<option value="es" lang="es">Español</option>' in page
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/challenges/"})
    assert response.status_code == 302 and response["Location"] == "/challenges/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/challenges/").content.decode()
    assert '<html lang="es"' in page and "Iniciar sesión</" in page and "Registrarse</" in page
    assert '<option value="es" lang="es" selected>Español</option>' in page


def test_a_refused_form_shows_its_spanish_error_under_its_field(client):
    client.force_login(UserFactory())
    response = client.post(
        "/profile/", {"display_name": "Ana", "country": "es", "locale": "es", "timezone": "Europe/Madrid"}, **SPANISH
    )
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(r'<div class="field-error" id="id_country_error">(.*?)</div></div>', page, flags=re.S)
    assert error, "no error under the country field"
    assert "Usa el código de país de dos letras" in error.group(1)
    assert "Hay un problema" in page  # the error summary
    assert '<label class="field-label" for="id_country">País' in page


def test_a_refused_page_form_with_a_service_error_in_spanish(client):
    """The service's refusal (gettext at raise time) lands on its field, translated."""
    from subscriptions.services import seed_plans

    seed_plans()
    client.force_login(UserFactory(roles=[ROLE_MEMBER]))
    response = client.post("/subscription/subscribe/", {"plan": "pro", "auto_renew": "on"}, **SPANISH)
    if response.status_code == 302:  # the trial needs no money: subscribe again to hit a refusal
        response = client.post("/subscription/subscribe/", {"plan": "pro", "auto_renew": "on"}, **SPANISH)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ya tienes el plan Pro." in page


def test_an_api_field_error_speaks_spanish():
    member = UserFactory(roles=[ROLE_MEMBER])
    client = make_token_client(member)
    refused = client.post(
        "/api/v1/wallet/stake/", {"amount": "5"}, format="json", HTTP_IDEMPOTENCY_KEY="es-1", **SPANISH
    )
    assert refused.status_code == 409
    assert refused.json()["fields"] == {"amount": ["Saldo disponible insuficiente."]}
    assert refused["Content-Language"] == "es"
    missing = client.post("/api/v1/wallet/stake/", {}, format="json", HTTP_IDEMPOTENCY_KEY="es-2", **SPANISH)
    assert missing.status_code == 400 and missing.json()["fields"]["amount"] == ["Este campo es requerido."]
    english = client.post("/api/v1/wallet/stake/", {"amount": "5"}, format="json", HTTP_IDEMPOTENCY_KEY="en-1")
    assert english.json()["fields"] == {"amount": ["Insufficient available balance."]}


def test_an_api_refusal_detail_speaks_spanish():
    client = make_token_client(UserFactory(roles=[ROLE_MEMBER]))
    response = client.get("/api/v1/subscription/", **SPANISH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No tienes ninguna suscripción."


def test_a_member_signing_up_in_spanish_is_welcomed_in_spanish(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ana@example.test",
            "password1": "una-frase-bastante-larga-77",
            "password2": "una-frase-bastante-larga-77",
        },
        **SPANISH,
    )
    assert response.status_code == 302
    from accounts.models import User

    member = User.objects.get(email="ana@example.test")
    assert member.locale == "es"
    assert member.notifications.get().title == "Te damos la bienvenida a OGC NewFinity"


def test_an_api_signup_takes_the_request_language():
    response = APIClient().post(
        "/api/v1/auth/signup/",
        {"email": "luis@example.test", "password": "una-frase-bastante-larga-77"},
        format="json",
        **SPANISH,
    )
    assert response.status_code == 201, response.content
    from accounts.models import User

    assert User.objects.get(email="luis@example.test").locale == "es"


def test_notifications_and_emails_are_written_in_the_members_language():
    spanish = UserFactory(locale="es", timezone="Europe/Madrid")
    english = UserFactory(locale="en")
    for user in (spanish, english):
        wallet_services.deposit_create(user=user, amount=Decimal("12.5"), memo="bonus")
    assert spanish.notifications.get().title == "Depósito abonado"
    assert spanish.notifications.get().body == "Se han abonado 12.5 OGC en tu monedero."
    assert english.notifications.get().title == "Deposit credited"

    from notifications.delivery import build_email

    # The worker renders emails outside any request, in the default language.
    email = build_email(spanish.notifications.get().deliveries.get(channel="email"))
    assert email.subject == "Depósito abonado"
    assert email.body.startswith(f"Hola, {spanish.public_name}:")
    assert "El equipo de OGC NewFinity" in email.body and "Se han abonado 12.5 OGC" in email.body
    html_body = email.alternatives[0][0]
    assert "Ver todas tus notificaciones" in html_body


def test_no_main_page_mixes_english_into_spanish(client, settings):
    world = build_layout_world(locale="es", timezone_name="Europe/Madrid")
    settings.OGC_UNSTAKE_COOLDOWN_HOURS = 72  # the unstake review then names the day it is back
    login_fresh(client, world.member)  # the withdrawal review asks for a recent re-authentication
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    ids = {
        "member": world.member.pk,
        "open_challenge": world.open_challenge.slug,
        "past_challenge": world.past_challenge.slug,
        "open_proposal": world.open_proposal.pk,
        "closed_proposal": world.closed_proposal.pk,
    }
    leftovers = {}
    for template in MAIN_PAGES:
        path = template.format(**ids)
        response = client.get(path)
        assert response.status_code == 200, path
        texts = _texts(response.content.decode())
        found = sorted({t for t in texts if t in ENGLISH_TEXT} | {p for p in ENGLISH_PHRASES for t in texts if p in t})
        if found:
            leftovers[path] = found
    address = world.member.wallet.addresses.order_by("pk").first()
    for path, data in REVIEW_PAGES:
        response = client.post(path, {k: v.format(address=address.pk) for k, v in data.items()})
        assert response.status_code == 200, (path, response.status_code)
        assert 'data-testid="confirm"' in response.content.decode(), path
        texts = _texts(response.content.decode())
        found = sorted({t for t in texts if t in ENGLISH_TEXT} | {p for p in ENGLISH_PHRASES for t in texts if p in t})
        if found:
            leftovers[path] = found
    assert not leftovers, f"English on Spanish pages: {leftovers}"
