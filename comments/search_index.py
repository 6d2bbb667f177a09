"""The comments' full-text index, kept by the database itself.

The index follows every write, whatever wrote the row (a form, `bulk_create`,
`update()`, `loaddata`, plain SQL), because the database keeps it:

- PostgreSQL: `comments_public_search` (migrations 0011 and 0013): for each comment
  the public may see (exactly `CommentQuerySet.published()`'s rule), its id and its
  `tsvector` with the Norwegian configuration over the body and the quote, with a GIN
  index (`comment_public_search`). PL/pgSQL triggers on comments_comment keep it in
  step, as SQLite's below: a comment enters and leaves with its own visibility, a
  reply also with its parent's, a delete or a truncate takes its rows along; only a
  change to what is indexed or to visibility makes a document anew. The search counts
  and ranks in it alone. No model declares it; public.search reads it.
- SQLite: `comments_comment_fts`, an FTS5 table holding, for each comment the public
  may see (exactly `CommentQuerySet.published()`'s rule), the words of the body and
  the quote reduced to their Snowball stems (the algorithm PostgreSQL's Norwegian
  configuration uses), keyed by the comment's id. Counting and ranking a search's
  matches therefore need the index alone. Triggers keep it in step: a comment enters
  and leaves with its own visibility, a reply also with its parent's. They call
  `innspill_stems()`, a function every Django connection gets (`register`). A program
  writing comments through another SQLite connection must register it too. It is a
  regular FTS5 table, storing its documents (SQLite 3.40 has no `contentless_delete`),
  so a trigger may delete a row the index does not hold.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import snowballstemmer
from django.db import connections

CONFIG = "norwegian"
TABLE = "comments_comment"
FTS_TABLE = "comments_comment_fts"
PUBLIC_TABLE = "comments_public_search"  # PostgreSQL
PUBLISHED = "published"  # comments.models.Status.PUBLISHED, in SQL
STEMS = "innspill_stems"
_WORD = re.compile(r"\w+", re.UNICODE)
_stemmers = threading.local()  # a Snowball stemmer keeps state while it works


def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "norwegian", None)
    if stemmer is None:
        stemmer = _stemmers.norwegian = snowballstemmer.stemmer("norwegian")
    return stemmer.stemWord(word.lower())


def terms(query: str) -> list[str]:
    """The distinct stems of a search's words (one-letter words left out)."""
    return list(dict.fromkeys(stem(w) for w in _WORD.findall(query) if len(w) > 1))


def stems(*texts: str | None) -> str:
    """The stems of every word of `texts`, in order: what SQLite's index holds."""
    return " ".join(stem(w) for text in texts if text for w in _WORD.findall(text))


def fts_query(words: list[str]) -> str:
    """An FTS5 query asking for every stem: each quoted as a string, so nothing a
    visitor types is read as FTS5 syntax."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


# SQLite ------------------------------------------------------------------------------


def register(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Give a new SQLite connection `innspill_stems()` (connection_created)."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(STEMS, -1, stems, deterministic=True)


def _shown(row: str) -> str:
    """SQL: `row` itself is published and not hidden (what a reply needs of its parent)."""
    return f"({row}.status = '{PUBLISHED}' AND NOT {row}.hidden_by_reports)"


def _public(row: str) -> str:
    """SQL: the public may see `row`, exactly CommentQuerySet.published()'s rule."""
    parent = (
        f"EXISTS (SELECT 1 FROM {TABLE} AS parent "
        f"WHERE parent.id = {row}.parent_id AND {_shown('parent')})"
    )
    return f"({_shown(row)} AND ({row}.parent_id IS NULL OR {parent}))"


def _index(row: str) -> str:
    """SQL: index `row` (after its old entry went) if the public may see it."""
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, document) "
        f"SELECT {row}.id, {STEMS}({row}.body, {row}.quote) WHERE {_public(row)};"
    )


def _reindex_replies(parent: str) -> str:
    """SQL: index the replies to `parent` again: whether the public sees them depends on
    it. The index is a regular FTS5 table (it stores its documents), so deleting a rowid
    it does not hold is harmless."""
    replies = f"(SELECT id FROM {TABLE} WHERE parent_id = {parent}.id)"
    # The replies are found by id through the parent's index: written as
    # `reply.parent_id = …` next to _public()'s OR, SQLite's planner scans the whole
    # table instead, on every comment written (40 ms at 100,000 comments).
    return (
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN {replies}; "
        f"INSERT INTO {FTS_TABLE}(rowid, document) "
        f"SELECT reply.id, {STEMS}(reply.body, reply.quote) FROM {TABLE} AS reply "
        f"WHERE reply.id IN {replies} AND {_public('reply')};"
    )


def sqlite_triggers() -> list[str]:
    """The triggers that keep the index holding exactly the public comments."""
    forget = f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"
    changed = " OR ".join(
        f"old.{name} IS NOT new.{name}"
        for name in ("id", "status", "hidden_by_reports", "body", "quote", "parent_id")
    )
    triggers = {
        # A reply may be written before its parent (loaddata): the parent's arrival
        # decides about its replies too.
        "insert": f"AFTER INSERT ON {TABLE} BEGIN {_index('new')} {_reindex_replies('new')} END",
        "delete": f"AFTER DELETE ON {TABLE} BEGIN {forget} {_reindex_replies('old')} END",
        "update": (
            f"AFTER UPDATE OF id, status, hidden_by_reports, body, quote, parent_id "
            f"ON {TABLE} WHEN {changed} BEGIN {forget} {_index('new')} END"
        ),
        # Only when whether the row may be a visible parent changed.
        "replies": (
            f"AFTER UPDATE OF status, hidden_by_reports ON {TABLE} "
            f"WHEN {_shown('old')} IS NOT {_shown('new')} BEGIN {_reindex_replies('new')} END"
        ),
    }
    statements = []
    for event, body in triggers.items():
        name = f"{FTS_TABLE}_{event}"
        statements += [f"DROP TRIGGER IF EXISTS {name}", f"CREATE TRIGGER {name} {body}"]
    return statements


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """(Re)install SQLite's index triggers after each `migrate` (post_migrate): SQLite
    drops a table's triggers when a migration rebuilds the table. The index itself (its
    rows keyed by the comments' ids) survives a rebuild. Only for the index of public
    comments (migration 0010): migrated back, the index and its triggers are 0009's."""
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        found = cursor.fetchone()
        if found is None or "content=''" in found[0]:  # migrated back to 0008 or 0009
            return
        for statement in sqlite_triggers():
            cursor.execute(statement)
