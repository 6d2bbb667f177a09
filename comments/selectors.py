"""Read-only queries about comments that other apps' pages need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from comments.models import Comment, Outcome, Status, WithheldReason
from guide.models import ChapterKind, Edition, EditionChapter, EditionSection

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 20


def with_comment_counts(sections: QuerySet[EditionSection]) -> QuerySet[EditionSection]:
    """`sections` annotated with `comment_count`: the published comments (replies
    included) on each section's identity, in any edition. No extra query."""
    counts = (
        Comment.objects.published()
        .filter(section_id=OuterRef("section_id"))
        .order_by()
        .values("section_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return sections.annotate(comment_count=Coalesce(Subquery(counts), 0))


def editions_with_comments() -> set[int]:
    """Ids of the editions that have published comments made on them: one query."""
    rows = (
        Comment.objects.published()
        .values_list("edition_section__edition_id", flat=True)
        .distinct()
        .order_by()
    )
    return set(rows)


def report_round(editions: list[Edition], asked: str | None) -> Edition | None:
    """The round the report shows: the one asked for, else the newest edition with
    published comments (publishing a new edition must not send readers to an empty
    report), else the current edition. `editions` is newest first."""
    if not editions:
        return None
    chosen = next((e for e in editions if asked and e.number == asked), None)
    if chosen is not None:
        return chosen
    with_comments = editions_with_comments()
    return next((e for e in editions if e.pk in with_comments), editions[0])


@dataclass(frozen=True)
class ReportSection:
    """A section of the report: the section as it stood in the round's edition and
    every published top-level comment made on it there, oldest first."""

    section: EditionSection
    comments: tuple[Comment, ...]

    @property
    def tally(self) -> list[tuple[str, StrOrPromise, int]]:
        """[(outcome, label, n)] for every outcome, in the order of Outcome."""
        counts = Counter(comment.outcome for comment in self.comments)
        return [(value, label, counts[value]) for value, label in Outcome.choices]


@dataclass(frozen=True)
class ReportChapter:
    """A chapter or case study of the report, with its sections in order."""

    chapter: EditionChapter
    sections: tuple[ReportSection, ...]

    @property
    def total(self) -> int:
        return sum(len(row.comments) for row in self.sections)


def report_chapters(edition: Edition) -> list[ReportChapter]:
    """The edition's chapters, then its case studies, each with its sections and their
    comments. Three queries."""
    comments = (
        Comment.objects.published()
        .top_level()
        .filter(edition_section__edition=edition)
        .select_related("addressed_in_edition")
        .only(
            "pk", "name", "organisation", "body", "language", "outcome",
            "outcome_explanation", "response", "edition_section_id", "created_at",
            "addressed_in_edition__number",
        )
        .order_by("created_at", "pk")
    )  # fmt: skip
    by_section: dict[int, list[Comment]] = {}
    for comment in comments:
        by_section.setdefault(comment.edition_section_id, []).append(comment)

    # Through the edition's manager, so each chapter knows its edition without a query.
    chapters = sorted(
        edition.chapters.all(), key=lambda c: (c.kind != ChapterKind.CHAPTER, c.order, c.pk)
    )
    by_chapter: dict[int, list[ReportSection]] = {}
    for row in EditionSection.objects.filter(edition=edition).order_by("order", "pk"):
        entry = ReportSection(section=row, comments=tuple(by_section.get(row.pk, [])))
        by_chapter.setdefault(row.edition_chapter_id, []).append(entry)
    return [
        ReportChapter(chapter=chapter, sections=tuple(by_chapter.get(chapter.pk, [])))
        for chapter in chapters
    ]


def report_totals(chapters: list[ReportChapter]) -> list[tuple[str, StrOrPromise, int]]:
    """[(outcome, label, n)] over every section of the report."""
    counts = Counter(
        comment.outcome
        for chapter in chapters
        for row in chapter.sections
        for comment in row.comments
    )
    return [(value, label, counts[value]) for value, label in Outcome.choices]


def withheld_by_reason(edition: Edition) -> list[tuple[StrOrPromise, int]]:
    """How many comments made on the edition were withheld, per reason: one query."""
    rows = (
        Comment.objects.filter(edition_section__edition=edition, status=Status.WITHHELD)
        .values("withheld_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reasons = dict(WithheldReason.choices)
    return [(reasons.get(r["withheld_reason"], r["withheld_reason"]), r["n"]) for r in rows]


def public_comments():
    """Published comments with what their cards show, replies included: three queries
    at most whatever the number of comments (comments, count, replies)."""
    # Top-level comments have no parent to check, and replies are fetched only for
    # comments already public: visible() says all that is needed, without a join.
    # No ORDER BY here: with one, SQLite walks the status index for the sort instead of
    # looking the replies up by parent. comments_page() puts them in order.
    replies = Comment.objects.visible().order_by()
    return (
        Comment.objects.visible()
        .top_level()
        .select_related(
            "edition_section__edition",
            "edition_section__edition_chapter",
            "addressed_in_edition",
        )
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="public_replies"))
        .order_by("created_at", "pk")
    )


def comments_page(queryset, number: str | None) -> Page:
    """Page `number` of `queryset` (public_comments() narrowed), replies in order."""
    page = Paginator(queryset, PER_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    for comment in page.object_list:
        comment.public_replies.sort(key=lambda reply: (reply.created_at, reply.pk))
    return page


@dataclass(frozen=True)
class Addressed:
    """The first published comments a change answered in one section, and how many it
    answered in all."""

    first: list[tuple[int, str]]  # (comment id, name), oldest first
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.first)


def addressed_by_section(edition_ids: list[int], *, first: int) -> dict[int, Addressed]:
    """Published top-level comments addressed in these editions, per section identity:
    the `first` oldest of each section with its total. One query, which returns at most
    `first` rows per section however many comments there are."""
    rows = (
        Comment.objects.visible()
        .top_level()
        .filter(addressed_in_edition__in=edition_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("section_id")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            ),
            total=Window(Count("pk"), partition_by=[F("section_id")]),
        )
        .filter(position__lte=first)
        .order_by("section_id", "position")
        .values_list("section_id", "pk", "name", "total")
    )
    found: dict[int, Addressed] = {}
    for section_id, pk, name, total in rows:
        if section_id not in found:
            found[section_id] = Addressed(first=[], total=total)
        found[section_id].first.append((pk, name))
    return found
