# PostgreSQL: the comment's search document is made where it is kept, in the public
# search table (0011), and no longer also stored on every comment as a generated
# column. A generated column is computed anew on every update of its row, whatever the
# update changed: re-anchoring quotes, moderating or counting reports paid for
# stemming the whole comment again, and for updating its GIN index. SQLite: nothing.

from importlib import import_module

from django.db import migrations

PUBLIC_SEARCH = import_module("comments.migrations.0011_postgresql_public_search")
STORED = "comment.search_document"
DOCUMENT = (
    "to_tsvector('norwegian'::regconfig, COALESCE(comment.body, '')) "
    "|| to_tsvector('norwegian'::regconfig, COALESCE(comment.quote, ''))"
)
# comments_public_search_sync(ids), as 0011 made it, reading the stored column.
SYNC = PUBLIC_SEARCH.POSTGRESQL[2].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
assert STORED in SYNC

# Every comment the public may see, as 0011's fill, making their documents here.
FILL = PUBLIC_SEARCH.FILL.replace(STORED, DOCUMENT)

POSTGRESQL = [
    SYNC.replace(STORED, DOCUMENT),
    "DROP INDEX IF EXISTS comment_search",
    "ALTER TABLE comments_comment DROP COLUMN IF EXISTS search_document",
]
POSTGRESQL_REVERSE = [
    *import_module("comments.migrations.0009_search_index").POSTGRESQL,
    SYNC,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("comments", "0012_anchors_per_text")]

    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE))]
