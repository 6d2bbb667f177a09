"""Who is asking: the client address behind any trusted proxies, and a salted hash of
it. Only the hash is stored (for rate limits and reports), and only for 30 days."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


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


def client_hash(request: HttpRequest) -> str:
    return salted_hmac("innspill.client", client_address(request), algorithm="sha256").hexdigest()


def axes_client_address(request: HttpRequest) -> str:
    """django-axes asks for the client address the same way the rate limits do."""
    return client_address(request)
