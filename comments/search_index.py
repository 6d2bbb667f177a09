"""The comments' full-text index, kept by the database itself.

Every comment row carries its search document, whatever wrote the row (a form,
`bulk_create`, `update()`, `loaddata`, plain SQL), because the database computes it:

- PostgreSQL: `comments_comment.search_document`, a stored generated `tsvector`
  column with the Norwegian configuration over the body and the quote (the same
  vector the search computed per request before), with a GIN index (`comment_search`).
  The model does not declare it; public.search reads it.
- SQLite: `comments_comment_fts`, a contentless FTS5 table holding the words of the
  body and the quote reduced to their Snowball stems (the algorithm PostgreSQL's
  Norwegian configuration uses), keyed by the comment's id. Triggers keep it in step;
  they call `innspill_stems()`, a function every Django connection gets (`register`).
  A program writing comments through another SQLite connection must register it too.

Both index every comment; the search filters on what the public may see, so a status
change needs no index work.
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


def _document(row: str) -> str:
    return f"{STEMS}({row}.body, {row}.quote)"


def sqlite_triggers() -> list[str]:
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, document) "
        f"VALUES ('delete', old.id, {_document('old')});"
    )
    insert = f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.id, {_document('new')});"
    changed = "WHEN old.body IS NOT new.body OR old.quote IS NOT new.quote OR old.id != new.id"
    triggers = {
        "insert": f"AFTER INSERT ON {TABLE} BEGIN {insert} END",
        "delete": f"AFTER DELETE ON {TABLE} BEGIN {delete} END",
        "update": (
            f"AFTER UPDATE OF id, body, quote ON {TABLE} {changed} BEGIN {delete} {insert} END"
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
    rows keyed by the comments' ids) survives a rebuild."""
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cursor.fetchone() is None:  # migrated back before the index
            return
        for statement in sqlite_triggers():
            cursor.execute(statement)
