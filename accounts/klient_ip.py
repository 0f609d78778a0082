"""The client's address for django-axes' login lockout (issue 21).

Behind Caddy every request comes from Caddy's address, so locking on it locks
everyone's account at once. The forwarded address Caddy sets (X-Forwarded-For,
its rightmost entry: the one Caddy appended itself) is used only when the request
comes from a proxy listed in settings.TRUSTED_PROXIES (addresses or networks);
from anywhere else the header is the client's own claim and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _netvaerk(value: str):
    return ipaddress.ip_network(value.strip(), strict=False)


def fra_betroet_proxy(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in _netvaerk(n) for n in settings.TRUSTED_PROXIES if n.strip())


def klient_ip(request) -> str:
    """settings.AXES_CLIENT_IP_CALLABLE."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and fra_betroet_proxy(remote):
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return remote
