from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from guide.changes import compare, draft_state, edition_state
from guide.models import Chapter, Edition, EditionSection
from publishing.services import edition_publish
from tests.factories import edit, make_section


def test_publishing_freezes_the_draft_into_snapshot_rows(guide):
    edition = guide["edition"]
    assert edition.chapters.count() == 3
    assert EditionSection.objects.filter(edition=edition).count() == 7
    section = EditionSection.objects.filter(edition=edition).first()
    assert section.body_html.startswith("<p>")
    assert "formålet" in section.text


def test_editing_the_draft_leaves_the_published_edition_unchanged(guide, client):
    section = guide["chapters"][1].sections.get(slug="del-1")
    edit(section, body="Helt ny tekst om målgrupper.", heading="Ny overskrift")

    for url in ["/versjoner/0.9/ta-stilling/", "/veileder/ta-stilling/"]:
        page = client.get(url).content.decode()
        assert "Helt ny tekst" not in page
        assert "Ny overskrift" not in page
        assert "Tekst i del" in page


def test_the_new_text_appears_once_a_new_edition_is_published(guide, client):
    section = guide["chapters"][1].sections.get(slug="del-1")
    edit(section, body="Helt ny tekst om målgrupper.")
    edition_publish(number="1.0", title="Versjon 1.0")

    assert "Helt ny tekst" in client.get("/veileder/ta-stilling/").content.decode()
    old = client.get("/versjoner/0.9/ta-stilling/").content.decode()
    assert "Helt ny tekst" not in old
    assert "Du leser versjon 0.9" in old


@translation.override("en")
def test_edition_numbers_must_increase_and_be_unique(guide):
    with pytest.raises(ValidationError, match="higher"):
        edition_publish(number="0.8", title="Eldre")
    with pytest.raises(ValidationError, match="already exists"):
        edition_publish(number="0.9", title="Igjen")
    with pytest.raises(ValidationError):
        edition_publish(number="en", title="Ikke et tall")
    assert Edition.objects.count() == 1


def test_number_order_is_numeric_not_alphabetic(guide):
    edition_publish(number="0.10", title="Tiende")
    assert Edition.objects.current().number == "0.10"


def test_a_section_left_out_of_the_draft_is_not_in_the_next_edition(guide):
    section = guide["chapters"][0].sections.get(slug="del-2")
    edit(section, is_active=False)
    edition = edition_publish(number="1.0", title="Uten del 2")
    assert not EditionSection.objects.filter(edition=edition, section=section).exists()


def test_compare_recognises_renamed_moved_changed_added_and_removed(guide):
    forord, stilling = guide["chapters"]
    edit(forord.sections.get(slug="del-1"), slug="ny-del", heading="Ny del")
    moved = stilling.sections.get(slug="del-3")
    edit(moved, chapter=forord, order=9)
    edit(stilling.sections.get(slug="del-2"), body="Endret tekst.")
    edit(stilling.sections.get(slug="del-1"), is_active=False)
    make_section(stilling, slug="helt-ny", heading="Helt ny")

    changes = {c.current.slug: c for c in compare(edition_state(guide["edition"]), draft_state())}
    forord_sections = {s.current.slug: s for s in changes["forord"].sections}
    assert forord_sections["ny-del"].renamed and not forord_sections["ny-del"].text_changed
    assert forord_sections["del-3"].moved_from.slug == "ta-stilling"
    stilling_sections = {s.current.slug: s for s in changes["ta-stilling"].sections}
    assert stilling_sections["del-2"].status == "changed"
    assert stilling_sections["del-2"].text_changed
    assert stilling_sections["del-1"].status == "removed"
    assert stilling_sections["helt-ny"].status == "added"
    assert stilling_sections["del-3"].moved_to.slug == "forord"
    assert changes["lanekassa"].status == "unchanged"


def test_load_guide_loads_the_content_folder_once(db):
    call_command("load_guide")
    edition = Edition.objects.get()
    assert edition.number == "0.9"
    assert edition.comment_period_state().is_open
    chapters = Chapter.objects.count()
    assert chapters >= 8
    call_command("load_guide")
    assert Edition.objects.count() == 1
    assert Chapter.objects.count() == chapters
    record = Chapter.objects.first().history.first()
    assert record.history_change_reason


def test_load_guide_reports_a_broken_content_folder(db, tmp_path):
    (tmp_path / "edition.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(CommandError, match="front matter"):
        call_command("load_guide", str(tmp_path))


def test_publish_edition_command(guide, capsys):
    edit(guide["chapters"][0], title="Forord og takk")
    call_command("publish_edition", number="1.0", title="Versjon 1.0", summary="Ny tekst.")
    edition = Edition.objects.current()
    assert (edition.number, edition.title, edition.summary) == ("1.0", "Versjon 1.0", "Ny tekst.")
    assert "changed: Forord og takk" in capsys.readouterr().out


@translation.override("en")
def test_publish_edition_command_refuses_a_lower_number(guide):
    with pytest.raises(CommandError, match="higher"):
        call_command("publish_edition", number="0.1", title="Gammel")


def test_publish_edition_dry_run_publishes_nothing(guide):
    call_command("publish_edition", number="1.0", title="Versjon 1.0", dry_run=True)
    assert Edition.objects.count() == 1
