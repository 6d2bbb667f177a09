"""Database-held versions of what the public sees, kept by triggers.

The triggers run inside the transaction that changes the content, so the version and
the content become visible together, on every worker and instance, whether the change
came from the admin, a management command, `loaddata` or plain SQL. A request learns
the versions with one small query (`current()`).

Only changes the public can see move a version: an edition added, changed or removed
("guide"), and a comment row added, changed or removed that is or was published
("comments"). A pending comment arriving moves nothing, so a busy consultation does
not empty the page cache with every comment sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

TABLE = "guide_contentversion"  # core.ContentVersion's table

# Which tables move which version, and when (a condition on the row, or None). Each app
# names its own tables in its AppConfig.ready(), with watch().
WATCHED: dict[str, tuple[str, str | None]] = {}

# Values read in the same query as the versions (say, when the consultation round
# opens and closes), each an expression made when the query is first compiled.
ALONGSIDE: dict[str, Callable[[], Any]] = {}


def watch(table: str, *, version: str, condition: str | None = None) -> None:
    """Move `version` whenever a row of `table` changes (and, with `condition`, only
    when the row met it before or after the change)."""
    WATCHED[table] = (version, condition)
    _sql.clear()


def read_alongside(**expressions: Callable[[], Any]) -> None:
    """Read these values with the versions, in the same query: for what changes pages
    with time alone, without any write."""
    ALONGSIDE.update(expressions)
    _sql.clear()


@dataclass(frozen=True)
class Versions:
    values: dict[str, int] = field(default_factory=dict)
    alongside: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.values.get(name, 0)

    def __str__(self) -> str:
        return ".".join(f"{name}={value}" for name, value in sorted(self.values.items()))


_sql: dict[str, tuple[str, tuple]] = {}


def _query() -> tuple[str, tuple]:
    """The versions with the values read alongside, as SQL compiled once per database
    vendor: a page served from the cache should cost this query and little else."""
    from core.models import ContentVersion

    vendor = connection.vendor
    if vendor not in _sql:
        names = sorted(ALONGSIDE)
        rows = ContentVersion.objects.annotate(
            **{name: ALONGSIDE[name]() for name in names}
        ).values_list("name", "value", *names)
        _sql[vendor] = rows.query.sql_with_params()
    return _sql[vendor]


def moment(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware datetime: SQLite hands back text or naive UTC."""
    if value is None:
        return None
    found = value if isinstance(value, datetime) else parse_datetime(value)
    if found is not None and timezone.is_naive(found):
        found = timezone.make_aware(found, UTC)
    return found


def current() -> Versions:
    """The versions as committed now, with the values read alongside: one query."""
    sql, params = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = sorted(ALONGSIDE)
    alongside = dict(zip(names, rows[0][2:], strict=True)) if rows else dict.fromkeys(names)
    return Versions(values={row[0]: row[1] for row in rows}, alongside=alongside)


def _sqlite(table: str, name: str, condition: str | None) -> list[str]:
    now = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
    bump = (
        f"INSERT INTO {TABLE} (name, value) VALUES ('{name}', {now}) "
        f"ON CONFLICT(name) DO UPDATE SET value = max({TABLE}.value + 1, excluded.value);"
    )
    statements = []
    for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        when = ""
        if condition:
            when = "WHEN " + " OR ".join(f"{row}.{condition}" for row in rows)
        trigger = f"innspill_{table}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger}",
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} {when} BEGIN {bump} END",
        ]
    return statements


def _postgresql(table: str, name: str, condition: str | None) -> list[str]:
    # One bump per statement, not per row: re-anchoring 100,000 comments after a
    # publish is one bump per batch. Transition tables tell whether any row concerned
    # is or was public.
    function = f"innspill_{table}_changed"
    checks = []
    for rows, events in (("new_rows", "'INSERT', 'UPDATE'"), ("old_rows", "'UPDATE', 'DELETE'")):
        where = f" WHERE {condition}" if condition else ""
        checks.append(
            f"IF TG_OP IN ({events}) AND NOT public THEN "
            f"public := EXISTS (SELECT 1 FROM {rows}{where}); END IF;"
        )
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE public boolean := false;
        BEGIN
            {" ".join(checks)}
            IF public THEN
                INSERT INTO {TABLE} (name, value)
                VALUES ('{name}', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
                ON CONFLICT (name) DO UPDATE
                SET value = greatest({TABLE}.value + 1, excluded.value);
            END IF;
            RETURN NULL;
        END $$
        """
    ]
    for event, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        trigger = f"innspill_{table}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def trigger_statements(vendor: str, table: str) -> list[str]:
    name, condition = WATCHED[table]
    if vendor == "sqlite":
        return _sqlite(table, name, condition)
    if vendor == "postgresql":
        return _postgresql(table, name, condition)
    raise NotImplementedError(f"No version triggers for the {vendor} database.")


def install_triggers(using: str = "default", **kwargs) -> None:
    """(Re)install every trigger. Runs after each `migrate` (post_migrate), because
    SQLite drops a table's triggers when a migration rebuilds the table."""
    database = connections[using]
    with database.cursor() as cursor:
        for table in WATCHED:
            for statement in trigger_statements(database.vendor, table):
                cursor.execute(statement)
