from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comments.models import Comment
from core import versions
from guide.models import Chapter, Edition, EditionSection, Section
from publishing.services import edition_publish
from tests.factories import edit, make_comment


def _empty_the_database() -> None:
    """Empty the database as a fresh one would be: live rows first (deleting them writes
    history), then every history table."""
    Comment.objects.all().delete()
    EditionSection.objects.all().delete()
    Edition.objects.all().delete()
    Section.objects.all().delete()
    Chapter.objects.all().delete()
    for model in (Comment, Chapter, Section, Edition):
        model.history.model.objects.all().delete()


def _snapshot() -> dict:
    return {
        "editions": list(Edition.objects.values_list("number", "title", "published_at")),
        "sections": list(EditionSection.objects.values_list("edition__number", "slug", "body")),
        "chapter_history": list(
            Chapter.history.values_list("id", "title", "history_change_reason", "history_date")
        ),
        "section_history": list(
            Section.history.values_list("id", "body", "history_change_reason", "history_date")
        ),
        "comments": list(
            Comment.objects.values_list("pk", "name", "email", "body", "status", "outcome")
        ),
        "comment_history": sorted(
            Comment.history.values_list("history_id", "id", "status", "history_date")
        ),
    }


def test_backup_and_restore_round_trip_every_edition_history_record_and_comment(
    open_guide, tmp_path, editor
):
    edit(open_guide["chapters"][0], title="Nytt forord")
    edition_publish(number="1.0", title="Versjon 1.0", user=editor)
    make_comment(open_guide["edition"], email="privat@example.no", quote="noe om formålet")
    make_comment(open_guide["edition"], published=False, body="Ventende kommentar her.")
    before = _snapshot()
    file = tmp_path / "backup.xml.gz"
    call_command("backup", str(file))

    _empty_the_database()
    assert not Edition.objects.exists()
    emptied = versions.current()

    call_command("restore", str(file))
    assert _snapshot() == before
    # Cached pages of the emptied (or any earlier) database can never be served again.
    restored = versions.current()
    assert restored["guide"] > emptied["guide"] and restored["comments"] > emptied["comments"]


def test_restore_refuses_to_overwrite_a_guide(guide, tmp_path):
    file = tmp_path / "backup.xml.gz"
    call_command("backup", str(file))
    with pytest.raises(CommandError, match="empty"):
        call_command("restore", str(file))


def test_backup_refuses_to_overwrite_a_file(guide, tmp_path):
    file = tmp_path / "backup.xml.gz"
    file.write_text("x")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(file))


def test_a_backup_without_personal_data_holds_none_and_still_restores(open_guide, tmp_path, editor):
    from axes.models import AccessAttempt

    from comments.services import comment_report

    editor.email = "redaktor.privat@example.no"
    editor.save()
    edition = open_guide["edition"]
    comment = make_comment(edition, email="privat@example.no", client_hash="e5" * 32)
    comment_report(comment=comment, client_hash="f6" * 32)
    comment_report(comment=comment, client_hash="a7" * 32)
    AccessAttempt.objects.create(
        username="gjest", ip_address="203.0.113.77", user_agent="x", failures_since_start=1
    )
    full, safe = tmp_path / "full.xml.gz", tmp_path / "safe.xml.gz"
    call_command("backup", str(full))
    call_command("backup", str(safe), "--without-personal-data")

    import gzip

    full_text = gzip.open(full, "rt", encoding="utf-8").read()
    safe_text = gzip.open(safe, "rt", encoding="utf-8").read()
    personal = [
        "privat@example.no",
        "e5" * 32,
        "f6" * 32,
        "a7" * 32,
        "redaktor.privat@example.no",
        editor.password,
    ]
    for value in personal:
        assert value in full_text, value  # what a full backup holds, and must protect
        assert value not in safe_text, value
    for text in (full_text, safe_text):
        assert "203.0.113.77" not in text  # login records are never backed up
    assert comment.body in safe_text and comment.name in safe_text

    # It restores into an empty database, reports and all.
    _empty_the_database()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    call_command("restore", str(safe))
    restored = Comment.objects.get(pk=comment.pk)
    assert (restored.email, restored.client_hash, restored.reports.count()) == ("", "", 2)
    assert not get_user_model().objects.get(username="redaktor").has_usable_password()


def test_a_backup_must_be_named_xml_gz(guide, tmp_path):
    with pytest.raises(CommandError, match=r"\.xml\.gz"):
        call_command("backup", str(tmp_path / "backup.json"))
