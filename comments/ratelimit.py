"""Comment rate limits shared across app instances through the cache.

If the shared cache is down, each process falls back to its own, stricter counter
(half the limit) and logs a warning: comments are still accepted, abuse still slowed.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

from guide.cache import shared_cache_failed, shared_cache_usable

logger = logging.getLogger(__name__)

_local_lock = threading.Lock()
_local_counts: dict[str, tuple[int, float]] = {}


def _local_hit(key: str, window: int, now: float) -> int:
    with _local_lock:
        count, expires = _local_counts.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + window
        _local_counts[key] = (count + 1, expires)
        if len(_local_counts) > 50_000:
            for stale in [k for k, (_, e) in _local_counts.items() if e <= now]:
                del _local_counts[stale]
        return count + 1


_warned_until = 0.0


def _warn_fallback(now: float) -> None:
    global _warned_until
    if now >= _warned_until:
        _warned_until = now + 60
        logger.warning("Rate limits use a stricter per-process limit: the shared cache is down")


def allow(client: str, *, scope: str = "comment") -> bool:
    """Count one attempt by `client`; False if it goes over any configured limit."""
    now = time.time()
    allowed = True
    for limit, window in settings.COMMENT_RATE_LIMIT:
        key = f"ratelimit:{scope}:{window}:{int(now // window)}:{client}"
        count = None
        if shared_cache_usable():
            try:
                cache.add(key, 0, timeout=window + 1)
                count = cache.incr(key)
            except Exception as error:  # noqa: BLE001 - any cache failure: fall back
                shared_cache_failed(error, "rate limits")
        if count is None:
            _warn_fallback(now)
            count = _local_hit(key, window, now)
            limit = max(1, limit // 2)
        if count > limit:
            allowed = False
    return allowed
