# The comments' full-text index, kept by the database (comments/search_index.py):
# PostgreSQL a stored generated tsvector column with a GIN index, SQLite a contentless
# FTS5 table of Snowball stems kept by triggers. Neither is a model field, so the
# migration state does not change.

from django.db import migrations

POSTGRESQL = [
    """
    ALTER TABLE comments_comment ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS (
        to_tsvector('norwegian'::regconfig, COALESCE(body, ''))
        || to_tsvector('norwegian'::regconfig, COALESCE(quote, ''))
    ) STORED
    """,
    "CREATE INDEX comment_search ON comments_comment USING gin (search_document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS comment_search",
    "ALTER TABLE comments_comment DROP COLUMN IF EXISTS search_document",
]
SQLITE = [
    # unicode61 folds case; diacritics stay, as "å" and "a" are different letters.
    "CREATE VIRTUAL TABLE comments_comment_fts USING fts5("
    "document, content='', tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO comments_comment_fts(rowid, document) "
    "SELECT id, innspill_stems(body, quote) FROM comments_comment",
]
# The triggers of this contentless index, as they were (migration 0010 replaced them).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER comments_comment_fts_insert AFTER INSERT ON comments_comment BEGIN "
    "INSERT INTO comments_comment_fts(rowid, document) "
    "VALUES (new.id, innspill_stems(new.body, new.quote)); END",
    "CREATE TRIGGER comments_comment_fts_delete AFTER DELETE ON comments_comment BEGIN "
    "INSERT INTO comments_comment_fts(comments_comment_fts, rowid, document) "
    "VALUES ('delete', old.id, innspill_stems(old.body, old.quote)); END",
    "CREATE TRIGGER comments_comment_fts_update AFTER UPDATE OF id, body, quote "
    "ON comments_comment "
    "WHEN old.body IS NOT new.body OR old.quote IS NOT new.quote OR old.id != new.id BEGIN "
    "INSERT INTO comments_comment_fts(comments_comment_fts, rowid, document) "
    "VALUES ('delete', old.id, innspill_stems(old.body, old.quote)); "
    "INSERT INTO comments_comment_fts(rowid, document) "
    "VALUES (new.id, innspill_stems(new.body, new.quote)); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS comments_comment_fts_insert",
    "DROP TRIGGER IF EXISTS comments_comment_fts_delete",
    "DROP TRIGGER IF EXISTS comments_comment_fts_update",
    "DROP TABLE IF EXISTS comments_comment_fts",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)
    elif vendor == "sqlite":
        from comments import search_index

        search_index.register(connection=schema_editor.connection)
        _run(schema_editor, SQLITE)
        _run(schema_editor, SQLITE_TRIGGERS)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0008_client_key_moved_to_core"),
    ]

    operations = [migrations.RunPython(create, drop)]
