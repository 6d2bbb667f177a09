"""The content versions live in the database and are moved by triggers (guide/versions.py),
which must be there whatever migrations did to the tables."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection

from core import versions
from publishing.services import edition_publish
from tests.factories import edit


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall() if name.startswith("innspill_")}


EXPECTED = {
    f"innspill_{table}_{event}"
    for table in versions.WATCHED
    for event in ("insert", "update", "delete")
}


def test_every_watched_table_has_its_triggers(db):
    assert _triggers() == EXPECTED


def test_migrate_puts_back_triggers_a_table_rebuild_dropped(db):
    """SQLite drops a table's triggers when a migration rebuilds the table: every
    `migrate` installs them again (post_migrate)."""
    with connection.cursor() as cursor:
        for name in EXPECTED:
            table = name.removeprefix("innspill_").rsplit("_", 1)[0]
            on = "" if connection.vendor == "sqlite" else f" ON {table}"
            cursor.execute(f"DROP TRIGGER {name}{on}")
    assert not _triggers()
    call_command("migrate", verbosity=0)
    assert _triggers() == EXPECTED


def test_load_guide_and_publishing_move_the_guide_version(db, tmp_path):
    before = versions.current()
    call_command("load_guide", verbosity=0)
    loaded = versions.current()
    assert loaded["guide"] > before["guide"]
    from guide.models import Section

    edit(Section.objects.first(), body="Ny tekst.")
    edition_publish(number="9.0", title="Ny")
    assert versions.current()["guide"] > loaded["guide"]
    from guide.models import Edition

    current = Edition.objects.current()
    found = versions.current()
    assert (
        versions.moment(found.alongside["round_opens"]),
        versions.moment(found.alongside["round_closes"]),
    ) == (
        current.comment_opens,
        current.comment_closes,
    )
