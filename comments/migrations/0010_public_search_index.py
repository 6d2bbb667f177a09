# SQLite's comment index holds only the comments the public may see, so a search counts
# and ranks its matches in the index alone (comments/search_index.py). The contentless
# index of every comment (0009) gives way to a regular FTS5 table, filled from the rows
# as they are; its triggers are installed here and again after every migrate.
# PostgreSQL keeps its stored tsvector column: nothing to do there.

import importlib

from django.db import migrations

FTS_TABLE = "comments_comment_fts"
OLD_TRIGGERS = [f"{FTS_TABLE}_{event}" for event in ("insert", "delete", "update")]
NEW_TRIGGERS = [*OLD_TRIGGERS, f"{FTS_TABLE}_replies"]
# unicode61 folds case; diacritics stay, as "å" and "a" are different letters.
CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "document, tokenize='unicode61 remove_diacritics 0')"
)
# Every comment the public may see (CommentQuerySet.published()), as of this migration.
FILL = (
    f"INSERT INTO {FTS_TABLE}(rowid, document) "
    "SELECT comment.id, innspill_stems(comment.body, comment.quote) "
    "FROM comments_comment AS comment "
    "WHERE comment.status = 'published' AND NOT comment.hidden_by_reports "
    "AND (comment.parent_id IS NULL OR EXISTS (SELECT 1 FROM comments_comment AS parent "
    "WHERE parent.id = comment.parent_id AND parent.status = 'published' "
    "AND NOT parent.hidden_by_reports))"
)


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _drop(triggers):
    return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers] + [
        f"DROP TABLE IF EXISTS {FTS_TABLE}"
    ]


def public_only(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from comments import search_index

    search_index.register(connection=schema_editor.connection)
    _run(schema_editor, [*_drop(OLD_TRIGGERS), CREATE, FILL])
    _run(schema_editor, search_index.sqlite_triggers())


def every_comment(apps, schema_editor):
    """Back to 0009's contentless index of every comment, with its triggers."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from comments import search_index

    before = importlib.import_module("comments.migrations.0009_search_index")
    search_index.register(connection=schema_editor.connection)
    _run(schema_editor, [*_drop(NEW_TRIGGERS), *before.SQLITE, *before.SQLITE_TRIGGERS])


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0009_search_index"),
    ]

    operations = [migrations.RunPython(public_only, every_comment)]
