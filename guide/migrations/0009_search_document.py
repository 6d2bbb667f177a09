# PostgreSQL only: each edition's chapters and sections keep their search document, the
# vector the search computed per request before (title/heading weighted A, the text B),
# as a stored generated column. An edition is a few dozen rows, read by its edition_id,
# so no GIN index. SQLite searches these rows as they are. Not model fields: the
# migration state does not change.

from django.db import migrations


def _vector(a, b):
    return (
        f"setweight(to_tsvector('norwegian'::regconfig, COALESCE({a}, '')), 'A') || "
        f"setweight(to_tsvector('norwegian'::regconfig, COALESCE({b}, '')), 'B')"
    )


FORWARD = [
    "ALTER TABLE guide_editionchapter ADD COLUMN search_document tsvector "
    f"GENERATED ALWAYS AS ({_vector('title', 'intro')}) STORED",
    "ALTER TABLE guide_editionsection ADD COLUMN search_document tsvector "
    f"GENERATED ALWAYS AS ({_vector('heading', 'text')}) STORED",
]
REVERSE = [
    "ALTER TABLE guide_editionchapter DROP COLUMN IF EXISTS search_document",
    "ALTER TABLE guide_editionsection DROP COLUMN IF EXISTS search_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("guide", "0008_draft_part_help_text"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
