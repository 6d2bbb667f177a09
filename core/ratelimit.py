"""Rate limits decided from the database: the rows a client made (comments,
subscription requests), by client hash and time (indexed). A limit therefore holds
across every worker and instance, with or without Redis, and survives restarts.

`over_limit_of` runs inside the transaction that stores the row, after taking a lock
that serialises one client's submissions (SQLite's immediate transactions serialise
every write; on PostgreSQL an advisory lock per client hash), so two comments sent at
the same moment cannot both slip under the limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone


class RateLimited(Exception):
    """The client has sent as much as the limits allow for now."""


def lock_client(client_hash: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [client_hash])


def over_limit_of(recent: QuerySet, now: datetime | None = None) -> bool:
    """True if the rows of `recent` (one client's, with a `created_at`) already reach a
    limit of COMMENT_RATE_LIMIT. One query for the times of the client's rows in the
    longest window, counted per window here: it runs while SQLite's write lock is
    held, where an aggregate with a filtered count per window cost more to build than
    to run."""
    limits = settings.COMMENT_RATE_LIMIT
    if not limits:
        return False
    now = now or timezone.now()
    longest = max(window for _, window in limits)
    # No more rows than the largest limit, as no more are stored.
    made = list(
        recent.filter(created_at__gte=now - timedelta(seconds=longest))
        .order_by()
        .values_list("created_at", flat=True)
    )
    return any(
        sum(1 for moment in made if moment >= now - timedelta(seconds=window)) >= limit
        for limit, window in limits
    )
