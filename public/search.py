"""Search the current edition and the published comments.

PostgreSQL uses its full-text search with the Norwegian configuration (stemming,
stop words, ranking, headlines). SQLite, for local runs, gets the same behaviour in
small: words reduced to their stem by the same Snowball algorithm PostgreSQL's
Norwegian configuration uses, every word must match, hits ranked by how often and
where they match. Neither ever looks at the draft or at comments that
are not published.

Comments are found through the index of the public comments the database keeps
(comments/search_index.py): on PostgreSQL a GIN-indexed table of their `tsvector`s
ranked by ts_rank, on SQLite an FTS5 table of their stems ranked by bm25. A search
counts and ranks its matches in the index alone and reads only the page shown. The
edition's chapters and sections, a few dozen rows, are matched against their stored
vectors on PostgreSQL; on SQLite their stems are computed once per database state and
matched in memory.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
)
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from comments import search_index
from comments.models import Comment
from comments.search_index import CONFIG, terms
from core.cache import kept_per_state
from guide.models import Edition, chapter_url, section_url

MAX_QUERY = 200
# What a hit does not show of its section and chapter.
_WIDE_CHAPTER = [f"edition_chapter__{name}" for name in ("intro", "intro_html", "channels")]
START, STOP = "\x02", "\x03"  # headline markers, replaced by <mark> after escaping


_LAST = "\U0010ffff"  # after every other character: the end of a prefix's range


@dataclass
class Hit:
    kind: str  # "chapter", "section" or "comment"
    title: str
    context: str
    url: str
    snippet: SafeString
    rank: float


@dataclass(frozen=True)
class GuideText:
    """SQLite: a chapter or section of an edition as the search reads it, with the stems
    of its title and text, computed once per database state (`_guide_texts`)."""

    kind: str  # "chapter" or "section"
    title: str
    context: str
    url: str
    text: str
    title_stems: Counter[str]
    text_stems: Counter[str]
    words: tuple[str, ...]  # the distinct stems of both, sorted

    def _words(self, term: str) -> tuple[str, ...]:
        """The stems here that begin with `term`: a search word is found in its longer
        forms and compounds (arkiver: arkivering, arkiveringsplikt), as when the texts
        were searched as they are, but no longer inside another word (søk: undersøk)."""
        return self.words[bisect_left(self.words, term) : bisect_left(self.words, term + _LAST)]

    def matches(self, stems: list[str]) -> bool:
        return all(self._words(term) for term in stems)

    def rank(self, stems: list[str]) -> float:
        """As often as the words occur, the title counting thrice, less in a long text;
        a chapter before a section that matches as well."""
        found = sum(
            3 * self.title_stems[word] + self.text_stems[word]
            for term in stems
            for word in self._words(term)
        )
        return found / (1 + len(self.text) / 2000) + (0.01 if self.kind == "chapter" else 0)

    def hit(self, stems: list[str], rank: float) -> Hit:
        snippet = _snippet(self.text, stems)
        return Hit(self.kind, self.title, self.context, self.url, snippet, rank)


def _guide_text(kind: str, title: str, context: str, url: str, text: str) -> GuideText:
    title_stems = Counter(search_index.stems(title).split())
    text_stems = Counter(search_index.stems(text).split())
    words = tuple(sorted(title_stems.keys() | text_stems.keys()))
    return GuideText(kind, title, context, url, text, title_stems, text_stems, words)


@dataclass(frozen=True)
class GuideMatch:
    """SQLite: a chapter or section that matches, its snippet made only if shown."""

    text: GuideText
    rank: float

    def hit(self, stems: list[str]) -> Hit:
        return self.text.hit(stems, self.rank)


def _guide_texts(edition: Edition) -> list[GuideText]:
    """SQLite: every chapter and section of `edition`, with their stems. Read through
    the edition, so each row already knows it (current_url())."""
    texts = [
        _guide_text("chapter", c.title, "", c.current_url(), c.intro)
        for c in edition.chapters.all()
    ]
    sections = edition.sections.select_related("edition_chapter").defer(
        "body", "body_html", "change", *_WIDE_CHAPTER
    )
    texts += [
        _guide_text("section", s.heading, s.edition_chapter.title, s.current_url(), s.text)
        for s in sections
    ]
    return texts


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


# PostgreSQL: the edition's chapters, then its sections, in the guide's order, that
# match, with their rank against their stored vector (migration guide 0009) and a
# headline of their text. Plain SQL: built by the ORM, the two statements cost more to
# compile than to run, on every search.
_HEADLINE = f"StartSel='{START}', StopSel='{STOP}', MaxWords=35, MinWords=15"
_PG_GUIDE = f"""
    WITH q AS (SELECT websearch_to_tsquery('{CONFIG}'::regconfig, %(query)s) AS q)
    SELECT * FROM (
        SELECT 0 AS part, chapter.kind, chapter.slug, '' AS section_slug, chapter.title,
            '' AS context, ts_rank(chapter.search_document, q.q) + 0.01 AS rank,
            ts_headline('{CONFIG}'::regconfig, chapter.intro, q.q, %(headline)s),
            chapter.kind AS kind_order, chapter."order" AS chapter_order, 0 AS section_order,
            chapter.id AS row_id
        FROM guide_editionchapter AS chapter, q
        WHERE chapter.edition_id = %(edition)s AND chapter.search_document @@ q.q
        UNION ALL
        SELECT 1, chapter.kind, chapter.slug, section.slug, section.heading, chapter.title,
            ts_rank(section.search_document, q.q),
            ts_headline('{CONFIG}'::regconfig, section.text, q.q, %(headline)s),
            chapter.kind, chapter."order", section."order", section.id
        FROM guide_editionsection AS section
        JOIN guide_editionchapter AS chapter ON chapter.id = section.edition_chapter_id, q
        WHERE section.edition_id = %(edition)s AND section.search_document @@ q.q
    ) AS found
    ORDER BY part, kind_order, chapter_order, section_order, row_id
"""


def _pg_guide_hit(
    part: int,
    kind: str,
    chapter: str,
    section: str,
    title: str,
    context: str,
    rank: float,
    headline: str,
    *order: Any,
) -> Hit:
    if part == 0:
        return Hit("chapter", title, "", chapter_url(kind, chapter), _marked(headline), rank)
    url = section_url(kind, chapter, section)
    return Hit("section", title, context, url, _marked(headline), rank)


class Search:
    """One search over one edition. `hits(offset, limit)` gives a page of results."""

    def __init__(self, query: str, edition: Edition, request: HttpRequest):
        self.query = query
        self.edition = edition
        self.postgres = connection.vendor == "postgresql"
        self.stems = terms(query)
        self._fixed = self._guide_hits(request)
        if self.postgres:
            self.count = len(self._fixed) + self._pg_count()
        else:
            self.count = len(self._fixed) + self._fts_count()

    # The guide: a few dozen rows, ranked and kept in memory.
    def _guide_hits(self, request: HttpRequest) -> list[Hit | GuideMatch]:
        """The edition's matching chapters and sections, best first. SQLite makes the
        snippets of those shown only (hits())."""
        if not self.postgres:
            if not self.stems:
                return []
            texts = kept_per_state(
                request,
                f"search-guide:{self.edition.pk}",
                lambda: _guide_texts(self.edition),
            )
            matches = [GuideMatch(t, t.rank(self.stems)) for t in texts if t.matches(self.stems)]
            # Stable: equal ranks keep the guide's order.
            return sorted(matches, key=lambda found: -found.rank)
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_GUIDE,
                {"query": self.query, "edition": self.edition.pk, "headline": _HEADLINE},
            )
            rows = cursor.fetchall()
        # Stable: equal ranks keep the guide's order, chapters first (as the statement).
        return sorted((_pg_guide_hit(*row) for row in rows), key=lambda hit: -hit.rank)

    # Comments: possibly many thousands, counted and ranked in the index of the public
    # comments alone (comments/search_index.py), best first, then newest first; only the
    # page of them is read from the comments, with its sections and headlines.
    def _pg_count(self) -> int:
        """PostgreSQL: the public comments that match, counted in their index alone."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {search_index.PUBLIC_TABLE} "
                "WHERE document @@ websearch_to_tsquery(%s::regconfig, %s)",
                [CONFIG, self.query],
            )
            return cursor.fetchone()[0]

    def _pg_page(self, start: int, stop: int) -> list[int]:
        """PostgreSQL: the ids of a page of matches, ranked in the index alone (the same
        ts_rank as before); equal matches newest first by id, the order in which the
        comments were written (created_at is not in the index)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT comment_id FROM "
                f"{search_index.PUBLIC_TABLE}, websearch_to_tsquery(%s::regconfig, %s) AS q "
                "WHERE document @@ q ORDER BY ts_rank(document, q) DESC, comment_id DESC "
                "LIMIT %s OFFSET %s",
                [CONFIG, self.query, stop - start, start],
            )
            return [row[0] for row in cursor.fetchall()]

    def _fts_count(self) -> int:
        """SQLite: the index holds the public comments only, so it counts them alone."""
        if not self.stems:
            return 0
        fts = search_index.FTS_TABLE
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {fts} WHERE {fts} MATCH %s",
                [search_index.fts_query(self.stems)],
            )
            return cursor.fetchone()[0]

    def _fts_page(self, start: int, stop: int) -> list[int]:
        """SQLite: the ids of a page of matches, ranked in the index alone. bm25() is
        lower for a better match; equal matches newest first: the rowid is the comment's
        id, given in the order the comments were written (created_at is not read)."""
        fts = search_index.FTS_TABLE
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s "
                f"ORDER BY bm25({fts}), rowid DESC LIMIT %s OFFSET %s",
                [search_index.fts_query(self.stems), stop - start, start],
            )
            return [row[0] for row in cursor.fetchall()]

    def _fts_hits(self, start: int, stop: int) -> list[Hit]:
        """SQLite: a page of comment hits, ranked in the index; only the values a hit
        shows are read for its ten rows."""
        ids = self._fts_page(start, stop) if self.stems else []
        if not ids:
            return []
        # published() again, for ten rows: should the index ever lag behind the rows,
        # the page would rather show one hit less than a hidden comment.
        rows = Comment.objects.published().filter(pk__in=ids)
        found = {
            row[0]: row
            for row in rows.values_list(
                "pk",
                "name",
                "body",
                "edition_section__heading",
                "edition_section__edition_chapter__title",
            )
        }
        hits = []
        for pk, name, body, heading, chapter in (found[pk] for pk in ids if pk in found):
            url = reverse("comments:detail", args=[pk])
            snippet = _snippet(body, self.stems)
            hits.append(Hit("comment", name, f"{chapter} › {heading}", url, snippet, 0.0))
        return hits

    def _comment_page(self, start: int, stop: int) -> list[Comment]:
        """PostgreSQL: a page of comments with their headlines, in the index's order.
        published() again, for ten rows: should the index ever lag behind the rows,
        the page would rather show one hit less than a hidden comment."""
        ids = self._pg_page(start, stop)
        if not ids:
            return []
        query = SearchQuery(self.query, config=CONFIG, search_type="websearch")
        headline = SearchHeadline("body", query, config=CONFIG, start_sel=START, stop_sel=STOP)
        rows = (
            Comment.objects.published()
            .filter(pk__in=ids)
            .select_related("edition_section__edition_chapter")
            .annotate(headline=headline)
        )
        found = {comment.pk: comment for comment in rows}
        return [found[pk] for pk in ids if pk in found]

    def _comment_hit(self, comment: Comment) -> Hit:
        section = comment.edition_section
        return Hit(
            "comment",
            comment.name,
            f"{section.edition_chapter.title} › {section.heading}",
            comment.get_absolute_url(),
            _marked(comment.headline),
            0.0,
        )

    def hits(self, offset: int, limit: int) -> list[Hit]:
        page = [
            found if isinstance(found, Hit) else found.hit(self.stems)
            for found in self._fixed[offset : offset + limit]
        ]
        start = max(0, offset - len(self._fixed))
        wanted = limit - len(page)
        if wanted > 0 and self.postgres:
            page += [self._comment_hit(c) for c in self._comment_page(start, start + wanted)]
        elif wanted > 0:
            page += self._fts_hits(start, start + wanted)
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
