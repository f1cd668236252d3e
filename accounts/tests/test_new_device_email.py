"""A login from a device or network not seen before for that member sends a security
notification, in-app and by email (issue #17, part 6). The device is the browser and
system families plus the /24 (IPv4) or /48 (IPv6) network."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.devices import device_of, network_of
from accounts.models import KnownDevice
from accounts.tests.factories import UserFactory
from notifications.models import Notification

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_LINUX_NEWER = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)


def _log_in(user, *, agent: str, ip: str) -> None:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery-42"})
    assert response.status_code == 302, response.content[:300]


def _notices(user):
    return list(Notification.objects.filter(recipient=user, kind="security").order_by("pk"))


def test_the_fingerprint_is_the_families_and_the_network():
    assert network_of("192.0.2.77") == "192.0.2.0/24"
    assert network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert network_of("") == "unknown"
    same = device_of(user_agent=FIREFOX_LINUX, ip="192.0.2.10")
    assert device_of(user_agent=FIREFOX_LINUX_NEWER, ip="192.0.2.200") == same  # an update, the same /24
    assert same[1] == "Firefox on Linux, network 192.0.2.0/24"
    assert device_of(user_agent=FIREFOX_LINUX, ip="198.51.100.10")[0] != same[0]
    assert device_of(user_agent=SAFARI_IPHONE, ip="192.0.2.10")[1].startswith("Safari on iPhone")
    assert device_of(user_agent=CHROME_WINDOWS, ip="192.0.2.10")[1].startswith("Chrome on Windows")


@pytest.mark.django_db(transaction=True)
def test_a_login_from_a_new_device_or_network_sends_a_security_email(broker, worker):
    member = UserFactory()
    _log_in(member, agent=FIREFOX_LINUX, ip="192.0.2.10")  # the account's first device: nothing to say
    _log_in(member, agent=FIREFOX_LINUX_NEWER, ip="192.0.2.99")  # the same device
    assert _notices(member) == [] and KnownDevice.objects.filter(user=member).count() == 1

    _log_in(member, agent=SAFARI_IPHONE, ip="203.0.113.5")
    (notice,) = _notices(member)
    assert notice.title == "New sign-in to your account"
    assert "Safari on iPhone, network 203.0.113.0/24" in notice.body
    broker.join("notifications", fail_fast=True)
    worker.join()
    assert [m.to for m in mail.outbox if m.subject == "New sign-in to your account"] == [[member.email]]

    _log_in(member, agent=SAFARI_IPHONE, ip="203.0.113.77")  # known now
    _log_in(member, agent=FIREFOX_LINUX, ip="198.51.100.1")  # a known browser from a new network
    assert len(_notices(member)) == 2
    # Another member's devices are theirs: the same laptop is new for them (but their first).
    other = UserFactory()
    _log_in(other, agent=SAFARI_IPHONE, ip="203.0.113.5")
    assert _notices(other) == []
