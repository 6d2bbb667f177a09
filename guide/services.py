"""Writes that touch several guide models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.markdown import plain_text
from guide.changes import compare, draft_state, edition_state
from guide.models import (
    Chapter,
    Edition,
    EditionChapter,
    EditionSection,
    RoundState,
    Section,
    SectionChangeKind,
    edition_number_key,
    validate_edition_number,
)


def edition_number_problem(number: str) -> str | None:
    """Why `number` cannot be the next edition's number, or None if it can."""
    try:
        validate_edition_number(number)
    except ValidationError as error:
        return error.messages[0]
    if Edition.objects.filter(number=number).exists():
        return _("Edition %(number)s already exists.") % {"number": number}
    current = Edition.objects.current()
    if current and edition_number_key(number) <= current.number_key:
        return _("The number must be higher than the current edition, %(number)s.") % {
            "number": current.number
        }
    return None


def _changes_since(previous: Edition | None) -> dict[int, str]:
    """For each section of the draft, how it changed since `previous` (if at all)."""
    if previous is None:
        return {}
    kinds: dict[int, str] = {}
    for chapter in compare(edition_state(previous), draft_state()):
        for section in chapter.sections:
            if section.new is None or section.is_unchanged:
                continue
            if section.is_added:
                kind = SectionChangeKind.ADDED
            elif section.text_changed:
                kind = SectionChangeKind.CHANGED
            elif section.renamed:
                kind = SectionChangeKind.RENAMED
            else:
                kind = SectionChangeKind.MOVED
            kinds[section.new.id] = kind
    return kinds


class RoundAction:
    """What publishing does to the consultation round (the comment period)."""

    NONE = "none"  # no round runs and none is set: the new edition is not out for comment
    CARRY = "carry"  # the running round goes on, on the new edition, to the same deadline
    END = "end"  # the running round ends now; the new edition is not out for comment
    NEW = "new"  # the new edition gets the period given (a running round ends now)


@dataclass(frozen=True)
class RoundRequest:
    """What whoever publishes asks for the consultation round: a comment period for the
    new edition (`opens`, `closes`), or that the running round ends (`end`). Asking
    nothing carries a running round over (see round_plan)."""

    opens: datetime | None = None
    closes: datetime | None = None
    end: bool = False


@dataclass(frozen=True)
class RoundPlan:
    action: str
    opens: datetime | None  # the new edition's period
    closes: datetime | None
    previous: Edition | None  # the edition whose round runs now, if one does
    now: datetime

    @property
    def ends_running_round(self) -> bool:
        return self.previous is not None and self.action in (RoundAction.END, RoundAction.NEW)


def running_round(edition: Edition | None, now: datetime | None = None) -> bool:
    """Whether `edition` has a comment period that is open or still to come."""
    return edition is not None and edition.comment_period_state(now) in (
        RoundState.OPEN,
        RoundState.UPCOMING,
    )


def round_plan(
    *, previous: Edition | None, asked: RoundRequest, now: datetime | None = None
) -> RoundPlan:
    """What publishing a new edition after `previous` does to the consultation round.

    A running round (open or upcoming) is carried over unless the caller ends it on
    purpose (`asked.end`) or gives a different period. Giving the running round's own
    period, or no period at all, carries it over."""
    now = now or timezone.now()
    running = previous if running_round(previous, now) else None
    opens, closes = asked.opens, asked.closes
    given = opens is not None or closes is not None
    if running is not None:
        same = (opens, closes) == (running.comment_opens, running.comment_closes)
        if asked.end:
            return RoundPlan(RoundAction.END, None, None, running, now)
        if not given or same:
            return RoundPlan(
                RoundAction.CARRY, running.comment_opens, running.comment_closes, running, now
            )
        return RoundPlan(RoundAction.NEW, opens, closes, running, now)
    if given:
        return RoundPlan(RoundAction.NEW, opens, closes, None, now)
    return RoundPlan(RoundAction.NONE, None, None, None, now)


def _end_round(edition: Edition, *, now: datetime, user: User | None) -> None:
    """End `edition`'s running round now, so the stored deadline is the real one. A
    round that has not opened yet never runs: its period is cleared."""
    if edition.comment_period_state(now) == RoundState.UPCOMING:
        edition.comment_opens = edition.comment_closes = None
    else:
        edition.comment_closes = now
    edition._change_reason = _("Consultation ended on publishing a new edition")
    if user is not None:
        edition._history_user = user
    edition.save(update_fields=["comment_opens", "comment_closes"])


@transaction.atomic
def edition_freeze(
    *,
    number: str,
    title: str,
    summary: str = "",
    user: User | None = None,
    consultation: RoundRequest = RoundRequest(),
    now: datetime | None = None,
) -> Edition:
    """Freeze the working draft into a new edition and make it the current one.

    A running consultation round is carried over to the new edition unless
    `consultation` ends it or gives another period (see round_plan)."""
    # Serialise publishing: two editors pressing the button at once get one edition
    # each in turn, or a clear error, never a half-copied snapshot.
    list(Edition.objects.select_for_update().order_by("pk").values_list("pk", flat=True)[:1])
    problem = edition_number_problem(number)
    if problem:
        raise ValidationError({"number": problem})
    if not Chapter.objects.active().exists():
        raise ValidationError(_("The working draft has no chapters to publish."))

    previous = Edition.objects.current()
    now = now or timezone.now()
    plan = round_plan(previous=previous, asked=consultation, now=now)
    change_of = _changes_since(previous)
    edition = Edition(
        number=number,
        title=title,
        summary=summary,
        published_at=now,
        published_by=user,
        comment_opens=plan.opens,
        comment_closes=plan.closes,
    )
    edition.full_clean()
    edition._change_reason = _("Published edition %(number)s") % {"number": number}
    if user is not None:
        edition._history_user = user
    edition.save()
    if plan.previous is not None and plan.ends_running_round:
        _end_round(plan.previous, now=now, user=user)

    chapters = list(Chapter.objects.active().order_by("kind", "order", "pk"))
    counted: dict[str, int] = {}
    position: dict[int, int] = {}  # chapter id -> place among its kind, from 1
    for chapter in chapters:
        counted[chapter.kind] = counted.get(chapter.kind, 0) + 1
        position[chapter.pk] = counted[chapter.kind]
    snapshots = EditionChapter.objects.bulk_create(
        EditionChapter.snapshot(chapter, edition=edition, order=position[chapter.pk])
        for chapter in chapters
    )
    snapshot_of = {s.chapter_id: s for s in snapshots}
    sections = Section.objects.active().filter(chapter__in=chapters).order_by("order", "pk")
    text_since = _texts_kept(previous)
    positions: dict[int, int] = {}
    rows = []
    for section in sections:
        positions[section.chapter_id] = positions.get(section.chapter_id, 0) + 1
        kept_html, kept_since = text_since.get(section.pk, ("", edition.pk))
        rows.append(
            EditionSection(
                edition=edition,
                edition_chapter=snapshot_of[section.chapter_id],
                section=section,
                slug=section.slug,
                heading=section.heading,
                order=positions[section.chapter_id],
                body=section.body,
                body_html=section.body_html,
                text=plain_text(section.body_html),
                change=change_of.get(section.pk, ""),
                text_since_id=kept_since if kept_html == section.body_html else edition.pk,
            )
        )
    EditionSection.objects.bulk_create(rows)
    return edition


def _texts_kept(previous: Edition | None) -> dict[int, tuple[str, int]]:
    """Section id -> (body_html, text_since id) in `previous`: a section whose text an
    edition leaves as it was keeps where that text first stood."""
    if previous is None:
        return {}
    rows = EditionSection.objects.filter(edition=previous)
    return {
        section_id: (body_html, since)
        for section_id, body_html, since in rows.values_list(
            "section_id", "body_html", "text_since_id"
        )
    }


def _when(value: datetime | None) -> str:
    assert value is not None  # a plan has the dates its text names
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def round_plan_text(plan: RoundPlan, *, number: str) -> str:
    """What publishing edition `number` does to the consultation round, in plain words:
    the confirm step in the admin and the publish_edition command both say it."""
    if plan.action == RoundAction.CARRY:
        return _(
            "The consultation goes on: edition %(number)s takes over the running round, "
            "with comments accepted from %(opens)s until %(closes)s, as now."
        ) % {"number": number, "opens": _when(plan.opens), "closes": _when(plan.closes)}
    if plan.action == RoundAction.END:
        assert plan.previous is not None  # only a running round is ended
        return _(
            "The consultation ends when you publish. It was to run until %(closes)s; "
            "after publishing, nobody can comment. Edition %(number)s is not out for comment."
        ) % {"number": number, "closes": _when(plan.previous.comment_closes)}
    if plan.action == RoundAction.NEW and plan.previous is not None:
        return _(
            "The running consultation (until %(old_closes)s) ends when you publish. "
            "Edition %(number)s gets a new round: comments from %(opens)s until %(closes)s."
        ) % {
            "old_closes": _when(plan.previous.comment_closes),
            "number": number,
            "opens": _when(plan.opens),
            "closes": _when(plan.closes),
        }
    if plan.action == RoundAction.NEW:
        return _("Edition %(number)s is out for comment from %(opens)s until %(closes)s.") % {
            "number": number,
            "opens": _when(plan.opens),
            "closes": _when(plan.closes),
        }
    return _("No consultation is running, and edition %(number)s is not out for comment.") % {
        "number": number
    }
