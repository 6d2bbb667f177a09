# PostgreSQL: a table of the search documents of the comments the public may see, kept
# by triggers, so a search counts and ranks its matches in it alone, as SQLite does in
# its FTS5 index (0010). See comments/search_index.py. SQLite: nothing to do here.
#
# No foreign key to comments_comment: Django's flush (TransactionTestCase, `flush`)
# truncates the model tables without CASCADE, which a table referencing them would
# refuse. The triggers remove a deleted comment's row instead, and empty the table when
# the comments are truncated.

from django.db import migrations

TABLE = "comments_public_search"

# (status, hidden_by_reports) of a row: published and not hidden after reports.
_SHOWN = "({row}.status = 'published' AND NOT {row}.hidden_by_reports)"

POSTGRESQL = [
    f"""
    CREATE TABLE {TABLE} (
        comment_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    f"CREATE INDEX comment_public_search ON {TABLE} USING gin (document)",
    # The rows of `ids` enter, change or leave the table by CommentQuerySet.published()'s
    # rule: published, not hidden, and for a reply a parent that is both too. The
    # document is the comment's own stored, generated search_document (0009).
    f"""
    CREATE FUNCTION comments_public_search_sync(ids bigint[]) RETURNS void
    LANGUAGE plpgsql
    -- Planned once: planning these statements anew for each call (the default for a
    -- parameter as an array) cost several times their running, per row written.
    SET plan_cache_mode = force_generic_plan
    AS $$
    BEGIN
        -- A reply's parent may be changing in a transaction not yet committed, whose
        -- trigger cannot see this reply: wait for it, so that this one sees its result.
        PERFORM 1 FROM comments_comment AS parent
        WHERE parent.id IN (SELECT parent_id FROM comments_comment WHERE id = ANY(ids))
        FOR SHARE;
        DELETE FROM {TABLE} AS indexed
        WHERE indexed.comment_id = ANY(ids)
        AND NOT EXISTS (
            SELECT 1 FROM comments_comment AS comment
            LEFT JOIN comments_comment AS parent ON parent.id = comment.parent_id
            WHERE comment.id = indexed.comment_id AND {_SHOWN.format(row="comment")}
            AND (comment.parent_id IS NULL OR {_SHOWN.format(row="parent")})
        );
        INSERT INTO {TABLE} (comment_id, document)
        SELECT comment.id, comment.search_document
        FROM comments_comment AS comment
        LEFT JOIN comments_comment AS parent ON parent.id = comment.parent_id
        WHERE comment.id = ANY(ids) AND {_SHOWN.format(row="comment")}
        AND (comment.parent_id IS NULL OR {_SHOWN.format(row="parent")})
        ON CONFLICT (comment_id) DO UPDATE SET document = excluded.document
        WHERE {TABLE}.document IS DISTINCT FROM excluded.document;
    END
    $$
    """,
    # New comments, and their replies: loaddata may write a reply before its parent.
    # Once per statement, so bulk_create of thousands makes one call.
    f"""
    CREATE FUNCTION comments_public_search_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM comments_public_search_sync(ARRAY(
            SELECT id FROM inserted
            UNION SELECT reply.id FROM comments_comment AS reply
            JOIN inserted ON reply.parent_id = inserted.id
        ));
        RETURN NULL;
    END
    $$
    """,
    # A changed comment; its replies too when whether it may be a visible parent changed.
    f"""
    CREATE FUNCTION comments_public_search_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF old.id IS DISTINCT FROM new.id THEN
            DELETE FROM {TABLE} WHERE comment_id = old.id;
        END IF;
        IF {_SHOWN.format(row="old")} IS DISTINCT FROM {_SHOWN.format(row="new")} THEN
            PERFORM comments_public_search_sync(
                new.id || ARRAY(SELECT id FROM comments_comment WHERE parent_id = new.id)
            );
        ELSE
            PERFORM comments_public_search_sync(ARRAY[new.id]);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # A deleted comment, and its replies, now without a parent (if they remain).
    f"""
    CREATE FUNCTION comments_public_search_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE} WHERE comment_id = old.id;
        PERFORM comments_public_search_sync(
            ARRAY(SELECT id FROM comments_comment WHERE parent_id = old.id)
        );
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE FUNCTION comments_public_search_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {TABLE};
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE TRIGGER comments_public_search_insert AFTER INSERT ON comments_comment
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION comments_public_search_insert()
    """,
    f"""
    CREATE TRIGGER comments_public_search_update
    AFTER UPDATE OF id, status, hidden_by_reports, body, quote, parent_id
    ON comments_comment FOR EACH ROW
    WHEN (
        old.id IS DISTINCT FROM new.id
        OR old.status IS DISTINCT FROM new.status
        OR old.hidden_by_reports IS DISTINCT FROM new.hidden_by_reports
        OR old.body IS DISTINCT FROM new.body
        OR old.quote IS DISTINCT FROM new.quote
        OR old.parent_id IS DISTINCT FROM new.parent_id
    )
    EXECUTE FUNCTION comments_public_search_update()
    """,
    f"""
    CREATE TRIGGER comments_public_search_delete AFTER DELETE ON comments_comment
    FOR EACH ROW EXECUTE FUNCTION comments_public_search_delete()
    """,
    f"""
    CREATE TRIGGER comments_public_search_truncate AFTER TRUNCATE ON comments_comment
    FOR EACH STATEMENT EXECUTE FUNCTION comments_public_search_truncate()
    """,
]
# Every comment the public may see, as of this migration.
FILL = f"""
    INSERT INTO {TABLE} (comment_id, document)
    SELECT comment.id, comment.search_document
    FROM comments_comment AS comment
    LEFT JOIN comments_comment AS parent ON parent.id = comment.parent_id
    WHERE {_SHOWN.format(row="comment")}
    AND (comment.parent_id IS NULL OR {_SHOWN.format(row="parent")})
"""
POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS comments_public_search_{event} ON comments_comment"
        for event in ("insert", "update", "delete", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS comments_public_search_{event}()"
        for event in ("insert", "update", "delete", "truncate")
    ),
    "DROP FUNCTION IF EXISTS comments_public_search_sync(bigint[])",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [*POSTGRESQL, FILL])


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0010_public_search_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
