"""Search the current edition and the published comments.

PostgreSQL uses its full-text search with the Norwegian configuration (stemming,
stop words, ranking, headlines). SQLite, for local runs, gets the same behaviour in
small: words reduced to their stem by the same Snowball algorithm PostgreSQL's
Norwegian configuration uses, every word must match, hits ranked by how often and
where they match. Neither ever looks at the draft or at comments that
are not published.

Comments are found through the index the database keeps for them
(comments/search_index.py): PostgreSQL's stored, GIN-indexed `tsvector`, SQLite's
FTS5 table of stems ranked by bm25. A search costs the matching rows, not every
comment. The edition's chapters and sections, a few dozen rows, are matched against
their stored vectors on PostgreSQL and searched as they are on SQLite.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Expression, F, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from comments import search_index
from comments.models import Comment
from comments.search_index import CONFIG, terms
from guide.models import Edition, EditionChapter, EditionSection

MAX_QUERY = 200
# What a hit does not show of its section and chapter.
_WIDE = [f"edition_section__{name}" for name in ("body", "body_html", "text", "change")] + [
    f"edition_section__edition_chapter__{name}" for name in ("intro", "intro_html", "channels")
]
START, STOP = "\x02", "\x03"  # headline markers, replaced by <mark> after escaping


@dataclass
class Hit:
    kind: str  # "chapter", "section" or "comment"
    title: str
    context: str
    url: str
    snippet: SafeString
    rank: float


class StoredDocument(Expression):
    """PostgreSQL: the search document stored in the queried table, a generated column
    the models do not declare (migrations comments 0009 and guide 0008). Named through
    the query's own alias for the table, so it stays right inside a subquery."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{alias}.search_document", ()


def _marked(text: str) -> SafeString:
    """Escape, then turn our markers into <mark>. Marker characters already in the text
    are removed first (in _snippet), and on PostgreSQL never get past the comment form."""
    escaped = html.escape(text, quote=False)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def _snippet(text: str, stems: list[str], width: int = 110) -> SafeString:
    """A window of `text` around the first match, every matching word marked."""
    text = text.replace(START, "").replace(STOP, "")
    pattern = re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 2)
    window = text[start : start + 2 * width]
    if start > 0:
        window = "…" + window
    if start + 2 * width < len(text):
        window += "…"
    return _marked(pattern.sub(lambda m: START + m.group(0) + STOP, window))


class Search:
    """One search over one edition. `hits(offset, limit)` gives a page of results."""

    def __init__(self, query: str, edition: Edition):
        self.query = query
        self.edition = edition
        self.postgres = connection.vendor == "postgresql"
        self._fixed = self._guide_hits()
        self._comments = self._ranked(Comment.objects.published())
        self.count = len(self._fixed) + self._comments.count()

    # The guide: a few dozen rows, ranked and kept in memory.
    def _guide_hits(self) -> list[Hit]:
        # Read through the edition, so each row already knows it (current_url()).
        chapters = self.edition.chapters.all()
        sections = self.edition.sections.select_related("edition_chapter")
        if self.postgres:
            query = SearchQuery(self.query, config=CONFIG, search_type="websearch")
            headline: dict[str, Any] = {
                "start_sel": START,
                "stop_sel": STOP,
                "max_words": 35,
                "min_words": 15,
            }
            chapters = (
                chapters.alias(document=StoredDocument())
                .filter(document=query)
                .annotate(
                    rank=SearchRank(F("document"), query),
                    headline=SearchHeadline("intro", query, config=CONFIG, **headline),
                )
            )
            sections = (
                sections.alias(document=StoredDocument())
                .filter(document=query)
                .annotate(
                    rank=SearchRank(F("document"), query),
                    headline=SearchHeadline("text", query, config=CONFIG, **headline),
                )
            )
            hits = [self._chapter_hit(c, _marked(c.headline), c.rank) for c in chapters]
            hits += [self._section_hit(s, _marked(s.headline), s.rank) for s in sections]
        else:
            stems = terms(self.query)
            if not stems:
                return []
            hits = []
            for c in chapters.filter(self._all_terms(stems, "title", "intro")):
                rank = self._rank(stems, c.title, c.intro)
                hits.append(self._chapter_hit(c, _snippet(c.intro, stems), rank))
            for s in sections.filter(self._all_terms(stems, "heading", "text")):
                rank = self._rank(stems, s.heading, s.text)
                hits.append(self._section_hit(s, _snippet(s.text, stems), rank))
        return sorted(hits, key=lambda h: -h.rank)

    @staticmethod
    def _all_terms(stems: list[str], *fields: str) -> Q:
        condition = Q()
        for term in stems:
            either = Q()
            for name in fields:
                either |= Q(**{f"{name}__icontains": term})
            condition &= either
        return condition

    @staticmethod
    def _rank(stems: list[str], title: str, text: str) -> float:
        title, text = title.lower(), text.lower()
        return sum(3 * title.count(t) + text.count(t) for t in stems) / (1 + len(text) / 2000)

    def _chapter_hit(self, chapter: EditionChapter, snippet: SafeString, rank: float) -> Hit:
        return Hit("chapter", chapter.title, "", chapter.current_url(), snippet, rank + 0.01)

    def _section_hit(self, section: EditionSection, snippet: SafeString, rank: float) -> Hit:
        return Hit(
            "section",
            section.heading,
            section.edition_chapter.title,
            section.current_url(),
            snippet,
            rank,
        )

    # Comments: possibly many thousands, found through the stored index and paged in
    # the database, best first, then newest first. The matches are ranked on their ids
    # alone; only the page of them is read whole, with its sections and headlines.
    def _ranked(self, comments: QuerySet) -> QuerySet:
        """`comments` that match, in order (the database's own ranking)."""
        if self.postgres:
            query = SearchQuery(self.query, config=CONFIG, search_type="websearch")
            return (
                comments.alias(document=StoredDocument())
                .filter(document=query)
                .alias(rank=SearchRank(F("document"), query))
                .order_by("-rank", "-created_at", "-pk")
            )
        stems = terms(self.query)
        if not stems:
            return comments.none()
        fts, table = search_index.FTS_TABLE, search_index.TABLE
        # The FTS5 table is no model: extra() joins it on its rowid, the comment's id.
        # Its SQL names the table as is, so this queryset is never used as a subquery.
        # bm25() is lower for a better match.
        return comments.extra(
            tables=[fts],
            where=[f"{fts}.rowid = {table}.id", f"{fts} MATCH %s"],
            params=[search_index.fts_query(stems)],
            select={"bm25": f"bm25({fts})"},
            order_by=["bm25", "-created_at", "-id"],
        )

    def _comment_page(self, start: int, stop: int) -> list[Comment]:
        related = "edition_section__edition_chapter"
        if not self.postgres:
            # One query, sorting every match: leave the sections' texts out of the sort.
            page = self._comments.select_related(related).defer(*_WIDE)
            return list(page[start:stop])
        # PostgreSQL ranks the matches on their ids, then reads the page whole (ranked
        # again, ten rows) with its headlines, evaluated for those rows only.
        ids = self._comments.values("pk")[start:stop]
        query = SearchQuery(self.query, config=CONFIG, search_type="websearch")
        page = self._ranked(Comment.objects.filter(pk__in=ids).select_related(related))
        headline = SearchHeadline("body", query, config=CONFIG, start_sel=START, stop_sel=STOP)
        return list(page.annotate(headline=headline))

    def _comment_hit(self, comment: Comment) -> Hit:
        if self.postgres:
            snippet = _marked(comment.headline)
        else:
            snippet = _snippet(comment.body, terms(self.query))
        section = comment.edition_section
        return Hit(
            "comment",
            comment.name,
            f"{section.edition_chapter.title} › {section.heading}",
            comment.get_absolute_url(),
            snippet,
            0.0,
        )

    def hits(self, offset: int, limit: int) -> list[Hit]:
        page = self._fixed[offset : offset + limit]
        start = max(0, offset - len(self._fixed))
        wanted = limit - len(page)
        if wanted > 0:
            page += [self._comment_hit(c) for c in self._comment_page(start, start + wanted)]
        return page


class SearchPage:
    """Adapts a Search to Django's Paginator."""

    def __init__(self, search: Search):
        self.search = search

    def count(self) -> int:
        return self.search.count

    def __len__(self) -> int:
        return self.search.count

    def __getitem__(self, item: slice) -> list[Hit]:
        return self.search.hits(item.start or 0, (item.stop or 0) - (item.start or 0))
