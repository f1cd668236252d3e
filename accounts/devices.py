"""The device fingerprint of a login (``accounts.models.device``): browser and OS
families read from the user agent with a few patterns (the families only: no version,
so an update is the same device), and the network prefix of the address."""

from __future__ import annotations

import hashlib
import ipaddress
import re

#: (family, pattern), first match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
BROWSERS = (
    ("Edge", r"\bEdg(e|A|iOS)?/"),
    ("Opera", r"\bOPR/|\bOpera\b"),
    ("Firefox", r"\bFirefox/|\bFxiOS/"),
    ("Chrome", r"\bChrome/|\bCriOS/|\bChromium/"),
    ("Safari", r"\bSafari/"),
)
SYSTEMS = (
    ("iPhone", r"\biPhone\b|\biPad\b"),
    ("Android", r"\bAndroid\b"),
    ("Windows", r"\bWindows\b"),
    ("macOS", r"\bMac OS X\b|\bMacintosh\b"),
    ("Linux", r"\bLinux\b|\bX11\b"),
)


def _family(user_agent: str, families: tuple[tuple[str, str], ...], default: str) -> str:
    return next((name for name, pattern in families if re.search(pattern, user_agent)), default)


def network_of(ip: str | None) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one ("unknown" when there is none)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_of(*, user_agent: str, ip: str | None) -> tuple[str, str]:
    """``(fingerprint, label)`` of a login."""
    browser = _family(user_agent or "", BROWSERS, "Another browser")
    system = _family(user_agent or "", SYSTEMS, "another system")
    network = network_of(ip)
    fingerprint = hashlib.sha256(f"{browser}|{system}|{network}".encode()).hexdigest()
    return fingerprint, f"{browser} on {system}, network {network}"
