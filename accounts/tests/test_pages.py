import pytest

from accounts.tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"OGC" in response.content


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signup_then_dashboard_shows_the_wallet(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dash@example.test",
            "password1": "a-Long-enough-passphrase-77",
            "password2": "a-Long-enough-passphrase-77",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = client.get("/dashboard/").content.decode()
    from accounts.models import User

    assert User.objects.get(email="dash@example.test").wallet.deposit_address in page


def test_profile_page_saves_and_shows_errors(client):
    user = UserFactory()
    client.force_login(user)
    bad = client.post("/profile/", {"display_name": "X", "country": "Germany", "locale": "en", "timezone": "UTC"})
    assert bad.status_code == 200 and "country" in bad.context["form"].errors
    good = client.post("/profile/", {"display_name": "X", "country": "DE", "locale": "en", "timezone": "UTC"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.country == "DE"


def test_admin_and_api_docs_render(client):
    admin = SuperuserFactory()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{admin.pk}/change/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/auth/signup/" in schema.content


def test_dashboard_shows_every_area_in_constant_queries(client, django_assert_max_num_queries):
    from decimal import Decimal

    from wallets.services import deposit_create

    user = UserFactory()
    deposit_create(user=user, amount=Decimal("12.5"), memo="welcome bonus")
    client.force_login(user)
    with django_assert_max_num_queries(14):
        page = client.get("/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200
    assert ">12.5 OGC<" in html  # no trailing zeros
    for testid in ("dashboard-subscription", "dashboard-notifications", "dashboard-challenges", "dashboard-badges"):
        assert f'data-testid="{testid}"' in html
    assert "Deposit credited" in html
