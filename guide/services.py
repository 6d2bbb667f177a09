"""Writes that touch several guide models."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from guide.changes import compare, draft_state, edition_state
from guide.markdown import plain_text
from guide.models import (
    Chapter,
    Edition,
    EditionChapter,
    EditionSection,
    Section,
    SectionChangeKind,
    edition_number_key,
    validate_edition_number,
)
from guide.signals import edition_published


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
    kinds = {}
    for chapter in compare(edition_state(previous), draft_state()):
        for section in chapter.sections:
            if section.new is None or section.status == "unchanged":
                continue
            if section.status == "added":
                kind = SectionChangeKind.ADDED
            elif section.text_changed:
                kind = SectionChangeKind.CHANGED
            elif section.renamed:
                kind = SectionChangeKind.RENAMED
            else:
                kind = SectionChangeKind.MOVED
            kinds[section.new.id] = kind
    return kinds


@transaction.atomic
def edition_publish(
    *,
    number: str,
    title: str,
    summary: str = "",
    user: User | None = None,
    comment_opens: datetime | None = None,
    comment_closes: datetime | None = None,
    now: datetime | None = None,
) -> Edition:
    """Freeze the working draft into a new edition and make it the current one."""
    # Serialise publishing: two editors pressing the button at once get one edition
    # each in turn, or a clear error, never a half-copied snapshot.
    list(Edition.objects.select_for_update().order_by("pk").values_list("pk", flat=True)[:1])
    problem = edition_number_problem(number)
    if problem:
        raise ValidationError({"number": problem})
    if not Chapter.objects.active().exists():
        raise ValidationError(_("The working draft has no chapters to publish."))

    previous = Edition.objects.current()
    change_of = _changes_since(previous)
    edition = Edition(
        number=number,
        title=title,
        summary=summary,
        published_at=now or timezone.now(),
        published_by=user,
        comment_opens=comment_opens,
        comment_closes=comment_closes,
    )
    edition.full_clean()
    edition._change_reason = _("Published edition %(number)s") % {"number": number}
    if user is not None:
        edition._history_user = user
    edition.save()

    chapters = list(Chapter.objects.active().order_by("kind", "order", "pk"))
    positions_by_kind: dict[str, int] = {}
    for chapter in chapters:  # number chapters and case studies each from 1
        positions_by_kind[chapter.kind] = positions_by_kind.get(chapter.kind, 0) + 1
        chapter.position = positions_by_kind[chapter.kind]
    snapshots = EditionChapter.objects.bulk_create(
        EditionChapter(
            edition=edition,
            chapter=chapter,
            kind=chapter.kind,
            slug=chapter.slug,
            title=chapter.title,
            order=chapter.position,
            intro=chapter.intro,
            intro_html=chapter.intro_html,
            organisation=chapter.organisation,
            channels=chapter.channels,
        )
        for chapter in chapters
    )
    snapshot_of = {s.chapter_id: s for s in snapshots}
    sections = Section.objects.active().filter(chapter__in=chapters).order_by("order", "pk")
    positions: dict[int, int] = {}
    rows = []
    for section in sections:
        positions[section.chapter_id] = positions.get(section.chapter_id, 0) + 1
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
            )
        )
    EditionSection.objects.bulk_create(rows)
    edition_published.send(sender=Edition, edition=edition)
    return edition
