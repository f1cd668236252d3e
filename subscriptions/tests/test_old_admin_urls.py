"""Plans and subscriptions had admin pages under ``/admin/accounts/`` before they became
an app of their own: the old addresses redirect, so operators' bookmarks keep working."""

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/accounts/plan/", "/admin/subscriptions/plan/"),
        ("/admin/accounts/subscription/7/change/?x=1", "/admin/subscriptions/subscription/7/change/?x=1"),
        ("/admin/accounts/subscriptionperiod/", "/admin/subscriptions/subscriptionperiod/"),
    ],
)
def test_old_admin_address_redirects_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_user_admin_pages_are_not_redirected(client):
    assert client.get("/admin/accounts/user/").status_code == 302  # to the admin login
    assert "/admin/login/" in client.get("/admin/accounts/user/")["Location"]
