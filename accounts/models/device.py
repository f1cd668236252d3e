"""Devices a member has signed in from (issue #17, part 6): a login from a device or
network not seen before for that member sends a security notification.

A device is a fingerprint, not a tracker: the SHA-256 of the browser family, the
operating system family and the network (the /24 of an IPv4 address, the /48 of an
IPv6 one), so a browser update or a new address from the same provider is the same
device, and the raw user agent and address are not kept here. ``label`` is what the
notification and the member read ("Firefox on Linux, network 192.0.2.0/24").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class KnownDevice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64)
    label = models.CharField(max_length=160)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "known_devices"
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"], name="uniq_known_device_user")]

    def __str__(self) -> str:
        return f"{self.label} (user #{self.user_id})"
