"""Read-only queries about published editions that pages of several apps need."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Subquery
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from core.cache import kept_per_state
from guide.models import ChapterKind, Edition, EditionChapter, EditionSection


def current_edition_or_404() -> Edition:
    edition = Edition.objects.current()
    if edition is None:
        raise Http404("No edition has been published yet.")
    return edition


def current_edition(request: HttpRequest) -> Edition | None:
    """Edition.objects.current(), read once per database state: for pages rendered on
    every request (search), where building its query costs more than the page."""
    return kept_per_state(request, "current-edition", Edition.objects.current)


def edition_or_404(number: str) -> Edition:
    return get_object_or_404(Edition, number=number)


def edition_chapters(edition: Edition) -> list[EditionChapter]:
    """Every chapter and case study of an edition, in reading order: one query. Read
    through the edition's manager, so each chapter knows its edition (for its URLs)
    without a query."""
    return list(edition.chapters.order_by("kind", "order"))


def neighbours(chapters: list[EditionChapter], chapter: EditionChapter):
    same_kind = [c for c in chapters if c.kind == chapter.kind]
    index = same_kind.index(chapter)
    previous = same_kind[index - 1] if index > 0 else None
    following = same_kind[index + 1] if index + 1 < len(same_kind) else None
    return previous, following


def guide_context(edition: Edition, chapters: Sequence[EditionChapter], **extra) -> dict:
    return {
        "edition": edition,
        "guide_chapters": [c for c in chapters if c.kind == ChapterKind.CHAPTER],
        "case_studies": [c for c in chapters if c.kind == ChapterKind.CASE],
        **extra,
    }


def current_section(chapter: str, section: str, kind: str) -> EditionSection | None:
    """The current edition's section at this address, with its chapter and edition, or
    None: one query."""
    current = Edition.objects.newest_first().values("pk")[:1]
    return (
        EditionSection.objects.select_related("edition", "edition_chapter")
        .filter(
            edition=Subquery(current),
            edition_chapter__slug=chapter,
            edition_chapter__kind=kind,
            slug=section,
        )
        .first()
    )
