"""Who is asking: the client address behind any trusted proxies, and a keyed hash of it.

Only the hash is stored (with comments and reports, for rate limits and for counting
reports once per client), never the address. The key is a random secret of the day,
kept in the database so that every worker and instance agrees on it, and deleted after
KEY_DAYS days: after that, nobody (not even someone holding the database and the
SECRET_KEY) can tell which address a stored hash came from by trying them all. IPv6
clients are grouped by their /64 network, which one household or machine usually has
to itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

# Today's key and yesterday's: the longest rate-limit window is a day.
KEY_DAYS = 2

_keys: dict[date, bytes] = {}
_keys_lock = threading.Lock()


def client_address(request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_group(address: str) -> str:
    """The address as limits see it: IPv4 as is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(day: date) -> bytes:
    from core.models import ClientKey

    with _keys_lock:
        if day in _keys:
            return _keys[day]
    try:
        with transaction.atomic():
            key, created = ClientKey.objects.get_or_create(
                day=day, defaults={"secret": secrets.token_hex(32)}
            )
    except IntegrityError:  # another worker made it first
        key, created = ClientKey.objects.get(day=day), False
    if created:
        ClientKey.objects.filter(day__lte=day - timedelta(days=KEY_DAYS)).delete()
    with _keys_lock:
        for old in [d for d in _keys if d <= day - timedelta(days=KEY_DAYS)]:
            del _keys[old]
        _keys[day] = bytes.fromhex(key.secret)
        return _keys[day]


def _hash(day: date, group: str) -> str:
    return hmac.new(_key(day), group.encode(), hashlib.sha256).hexdigest()


def client_hash(request: HttpRequest) -> str:
    """The hash stored with what this client sends today."""
    return _hash(timezone.now().date(), client_group(client_address(request)))


def client_hashes(request: HttpRequest) -> list[str]:
    """Every hash this client's recent comments can carry: today's and yesterday's."""
    group = client_group(client_address(request))
    today = timezone.now().date()
    return [_hash(today - timedelta(days=n), group) for n in range(KEY_DAYS)]


def axes_client_address(request: HttpRequest) -> str:
    """django-axes asks for the client address the same way the rate limits do."""
    return client_address(request)


def client_fields(request: HttpRequest) -> dict[str, Any]:
    """Who sent a comment, as the rate limits count them."""
    today, *earlier = client_hashes(request)
    return {"client_hash": today, "earlier_hashes": earlier}
