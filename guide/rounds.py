"""The consultation round as the public sees it: its state, deadline and days left.

A round is the comment period of an edition. Publishing carries a running round over
to the new edition, so the round that matters is the current edition's; when the
current edition has no period of its own, the last round held (on an earlier edition)
is over, and pages point to its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Subquery
from django.utils import timezone

from core import versions
from guide.models import Edition, RoundState


@dataclass(frozen=True)
class Round:
    state: RoundState  # upcoming, open or closed
    opens: datetime
    closes: datetime

    @property
    def is_upcoming(self) -> bool:
        return self.state.is_upcoming

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    @property
    def is_closed(self) -> bool:
        return self.state.is_closed

    def days_left(self, today: date | None = None) -> int:
        """Whole calendar days from today to the deadline's day, in local time
        (Europe/Oslo): 0 on the last day. It changes at local midnight, so a page
        that shows it may be cached for the rest of the day, not longer."""
        today = today or timezone.localdate()
        return max(0, (timezone.localtime(self.closes).date() - today).days)


def round_of(
    current: Edition | None,
    editions: list[Edition] | None = None,
    now: datetime | None = None,
) -> Round | None:
    """The round the public should hear about, given the current edition. No query when
    the current edition has a comment period, came from Edition.objects.current() (which
    brings the last round along), or `editions` (all of them, newest first) is given."""
    if current is None:
        return None
    if current.comment_opens is not None and current.comment_closes is not None:
        state = current.comment_period_state(now)
        return Round(state, current.comment_opens, current.comment_closes)
    # The current edition has no round: the last one held, if any, ended when a newer
    # edition was published without it.
    if editions is not None:
        last = next((e for e in editions if e.comment_opens and e.comment_closes), None)
        if last is None or last.comment_opens is None or last.comment_closes is None:
            return None
        return Round(RoundState.CLOSED, last.comment_opens, last.comment_closes)
    if hasattr(current, "last_round_pk"):
        if current.last_round_pk is None:
            return None
        return Round(RoundState.CLOSED, current.last_round_opens, current.last_round_closes)
    last = (
        Edition.objects.filter(comment_opens__isnull=False, comment_closes__isnull=False)
        .newest_first()
        .first()
    )
    if last is None or last.comment_opens is None or last.comment_closes is None:
        return None
    return Round(RoundState.CLOSED, last.comment_opens, last.comment_closes)


def banner_variant(current: Edition | None, now: datetime | None = None) -> str:
    """What the round banner on a cached page depends on besides the database: the
    round's state and today's date in Europe/Oslo ("open:2027-02-17"). A page cache
    whose keys carry this never serves a page with a stale "N days left" or a round
    that has opened or closed since; the period itself only changes with an edit that
    bumps the guide version. No query for an edition from Edition.objects.current()."""
    now = now or timezone.now()
    found = round_of(current, now=now)
    state = found.state if found else RoundState.NONE
    return f"{state}:{timezone.localdate(now).isoformat()}"


def read_with_versions() -> None:
    """Have every request's versions query bring the current edition's period too."""

    def newest():
        return Edition.objects.newest_first()

    versions.read_alongside(
        round_opens=lambda: Subquery(newest().values("comment_opens")[:1]),
        round_closes=lambda: Subquery(newest().values("comment_closes")[:1]),
    )


def page_state(found: versions.Versions, now: datetime | None = None) -> str:
    """The current edition's comment period as seen now, with the local date: what
    changes a page's bytes with time alone, without any write to the database. Part of
    every cached page's key (core.cache.vary_on)."""
    opens = versions.moment(found.alongside.get("round_opens"))
    closes = versions.moment(found.alongside.get("round_closes"))
    now = now or timezone.now()
    if opens is None or closes is None:
        state = RoundState.NONE.value
    elif now < opens:
        state = RoundState.UPCOMING.value
    elif now < closes:
        state = RoundState.OPEN.value
    else:
        state = RoundState.CLOSED.value
    return f"{state}:{timezone.localdate(now).isoformat()}"
