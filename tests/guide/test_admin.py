from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guide.models import Chapter, Edition, Section
from tests.factories import section_form_data


def chapter_form_data(chapter: Chapter, note: str, **changes) -> dict:
    data = {
        "kind": chapter.kind,
        "title": chapter.title,
        "slug": chapter.slug,
        "order": chapter.order,
        "is_active": "on",
        "intro": chapter.intro,
        "organisation": chapter.organisation,
        "channels": chapter.channels,
        "change_note": note,
    }
    data.update(changes)
    return data


def test_editor_save_is_recorded_with_user_and_change_note(guide, client, editor):
    client.force_login(editor)
    chapter = guide["chapters"][0]
    data = chapter_form_data(chapter, "Klarere tittel etter innspill", title="Forord og bakgrunn")
    response = client.post(f"/admin/guide/chapter/{chapter.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    record = chapter.history.first()
    assert (record.title, record.history_user, record.history_change_reason) == (
        "Forord og bakgrunn",
        editor,
        "Klarere tittel etter innspill",
    )
    section = chapter.sections.get(slug="del-1")
    data = section_form_data(section, "Ny første del", body="Ny tekst i første del.")
    response = client.post(f"/admin/guide/section/{section.pk}/change/", data)
    assert response.status_code == 302
    section_record = section.history.first()
    assert section_record.body == "Ny tekst i første del."
    assert section_record.history_user == editor
    assert section_record.history_change_reason == "Ny første del"


def test_the_chapter_editor_links_to_one_section_per_page(guide, client, editor):
    client.force_login(editor)
    chapter = guide["chapters"][1]
    page = client.get(f"/admin/guide/chapter/{chapter.pk}/change/").content.decode()
    for section in chapter.sections.all():
        assert f'href="/admin/guide/section/{section.pk}/change/"' in page
        assert section.body not in page  # no section is edited inline
    assert f"/admin/guide/section/add/?chapter={chapter.pk}" in page
    section_page = client.get(f"/admin/guide/section/{section.pk}/change/").content.decode()
    assert f'href="/admin/guide/chapter/{chapter.pk}/change/"' in section_page
    assert 'rel="prev"' in section_page and 'rel="next"' not in section_page  # the last one
    assert "editor-split__preview" in section_page
    assert "Forhåndsvisning, slik publikum vil se den" in section_page


def test_editor_save_without_change_note_is_refused_and_nothing_is_lost(guide, client, editor):
    client.force_login(editor)
    chapter = guide["chapters"][0]
    data = chapter_form_data(chapter, "", title="Uten notat")
    response = client.post(f"/admin/guide/chapter/{chapter.pk}/change/", data)
    assert response.status_code == 200
    assert "change_note" in response.context["adminform"].form.errors
    assert 'value="Uten notat"' in response.content.decode()
    chapter.refresh_from_db()
    assert chapter.title == "Forord"


def test_revert_restores_an_earlier_version_with_a_change_note(guide, client, editor):
    client.force_login(editor)
    section = guide["chapters"][0].sections.get(slug="del-1")
    original_body = section.body
    first_record = section.history.last()
    data = section_form_data(section, "Skrev feil", body="Feil tekst")
    assert client.post(f"/admin/guide/section/{section.pk}/change/", data).status_code == 302
    section.refresh_from_db()
    assert section.body == "Feil tekst"

    page = client.get(f"/admin/guide/section/{section.pk}/history/{first_record.pk}/")
    assert page.status_code == 200 and original_body in page.content.decode()
    data.update(body=original_body, change_note="Tilbake til opprinnelig tekst")
    response = client.post(f"/admin/guide/section/{section.pk}/history/{first_record.pk}/", data)
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == original_body
    assert section.history.first().history_change_reason == "Tilbake til opprinnelig tekst"
    assert section.history.count() == 3


def test_staff_preview_shows_the_unpublished_draft(guide, client, editor):
    chapter = guide["chapters"][0]
    section = chapter.sections.first()
    section.body = "Upublisert utkasttekst"
    section._change_reason = "test"
    section.save()
    client.force_login(editor)
    response = client.get(f"/admin/guide/chapter/{chapter.pk}/preview/")
    assert response.status_code == 200
    assert "Upublisert utkasttekst" in response.content.decode()
    client.logout()
    assert client.get(f"/admin/guide/chapter/{chapter.pk}/preview/").status_code == 302


def test_publish_flow_confirms_changes_before_publishing(guide, client, editor):
    client.force_login(editor)
    chapter = guide["chapters"][1]
    chapter.title = "Ta stilling til sosiale medier"
    chapter._change_reason = "test"
    chapter.save()

    form = {"number": "1.0", "title": "Versjon 1.0", "summary": "Endret tittel."}
    confirm_page = client.post("/admin/guide/edition/publish/", form)
    assert confirm_page.status_code == 200
    html = confirm_page.content.decode()
    assert "Ta stilling til sosiale medier" in html and 'name="confirm"' in html
    assert Edition.objects.count() == 1

    response = client.post("/admin/guide/edition/publish/", {**form, "confirm": "1"})
    assert response.status_code == 302
    edition = Edition.objects.current()
    assert (edition.number, edition.published_by) == ("1.0", editor)
    assert edition.history.first().history_user == editor


def test_publish_form_explains_a_bad_number(guide, client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/guide/edition/publish/", {"number": "0.5", "title": "Eldre", "confirm": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert Edition.objects.count() == 1


def test_moderator_can_read_but_not_edit_the_guide_or_publish(guide, client, moderator):
    client.force_login(moderator)
    chapter = guide["chapters"][0]
    assert client.get("/admin/guide/chapter/").status_code == 200
    data = chapter_form_data(chapter, "Forsøk", title="Endret av moderator")
    assert client.post(f"/admin/guide/chapter/{chapter.pk}/change/", data).status_code == 403
    assert client.get("/admin/guide/edition/publish/").status_code == 403
    assert (
        client.post(
            "/admin/guide/edition/publish/", {"number": "1.0", "title": "x", "confirm": "1"}
        ).status_code
        == 403
    )
    chapter.refresh_from_db()
    assert chapter.title == "Forord"
    assert Edition.objects.count() == 1


def test_editions_cannot_be_added_directly_or_deleted(guide, client, editor):
    client.force_login(editor)
    edition = guide["edition"]
    assert client.get("/admin/guide/edition/add/").status_code == 403
    assert client.post(f"/admin/guide/edition/{edition.pk}/delete/").status_code == 403
    assert Edition.objects.filter(pk=edition.pk).exists()


@pytest.mark.parametrize("url", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_markdownx_endpoints_refuse_anonymous_and_non_staff(db, client, django_user_model, url):
    assert client.post(url, {"content": "# Hei"}).status_code == 403
    citizen = django_user_model.objects.create_user("borger", password="et-langt-passord-123")
    client.force_login(citizen)
    assert client.post(url, {"content": "# Hei"}).status_code == 403


def test_markdownx_preview_for_editors_is_sanitised(guide, client, editor):
    client.force_login(editor)
    response = client.post(
        "/markdownx/markdownify/", {"content": "**fet** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>fet</strong>" in html and "<script" not in html


def test_markdownx_upload_refuses_svg(guide, client, editor):
    client.force_login(editor)
    svg = SimpleUploadedFile(
        "x.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        content_type="image/svg+xml",
    )
    response = client.post(
        "/markdownx/upload/", {"image": svg}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.status_code == 400


def test_section_count_column_in_chapter_list(guide, client, editor):
    client.force_login(editor)
    response = client.get("/admin/guide/chapter/")
    assert response.status_code == 200
    assert Section.objects.count() == 7


def _section_data(section, body: str, note: str, base: int) -> dict:
    return section_form_data(section, note, body=body, base_revision=base)


def test_two_editors_saving_the_same_section_never_overwrite_each_other(
    guide, client, editor, django_user_model
):
    from django.contrib.auth.models import Group
    from django.test import Client

    other = django_user_model.objects.create_user("kollega", password="x" * 16, is_staff=True)
    other.groups.add(Group.objects.get(name="Redaktør"))
    section = guide["chapters"][0].sections.get(slug="del-1")
    url = f"/admin/guide/section/{section.pk}/change/"
    first, second = client, Client()
    first.force_login(editor)
    second.force_login(other)
    base = first.get(url).context["adminform"].form["base_revision"].value()
    assert second.get(url).context["adminform"].form["base_revision"].value() == base

    saved = first.post(url, _section_data(section, "Redaktørens tekst.", "Første", base))
    assert saved.status_code == 302
    refused = second.post(url, _section_data(section, "Kollegaens tekst.", "Andre", base))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Redaktørens tekst." in html  # what the other editor saved
    assert "Kollegaens tekst." in html  # what this editor wrote, still in the form
    section.refresh_from_db()
    assert section.body == "Redaktørens tekst."
    assert section.history.count() == 2

    # Having seen both, the second editor can save deliberately.
    new_base = refused.context["adminform"].form["base_revision"].value()
    merged = second.post(url, _section_data(section, "Begge tekstene.", "Flettet", new_base))
    assert merged.status_code == 302
    section.refresh_from_db()
    assert section.body == "Begge tekstene."
    assert section.revision == 3


def test_a_revert_form_builds_on_the_current_revision(guide, client, editor):
    section = guide["chapters"][0].sections.get(slug="del-1")
    client.force_login(editor)
    url = f"/admin/guide/section/{section.pk}/change/"
    client.post(url, _section_data(section, "Ny tekst.", "Endret", section.revision))
    oldest = section.history.last()
    page = client.get(f"/admin/guide/section/{section.pk}/history/{oldest.pk}/")
    assert page.context["adminform"].form["base_revision"].value() == 2


def test_history_and_restore_show_word_level_diffs(guide, client, editor):
    client.force_login(editor)
    section = guide["chapters"][0].sections.get(slug="del-1")
    first = section.history.last()
    words = " ".join(f"ord{n}" for n in range(200))  # long enough to be shortened before
    for note, body in (("Lang tekst", f"{words} slutt."), ("Ett ord", f"{words} avslutning.")):
        data = section_form_data(section, note, body=body)
        assert client.post(f"/admin/guide/section/{section.pk}/change/", data).status_code == 302
        section.refresh_from_db()
    history = client.get(f"/admin/guide/section/{section.pk}/history/").content.decode()
    assert '<del><span class="sr-only">[' in history and '<ins><span class="sr-only">[' in history
    assert ">slutt<" in history and ">avslutning<" in history  # the changed word alone
    assert "chars]" not in history  # not simple-history's "En ka[957 chars]ering"
    assert "ord100" not in history.split("avslutning")[0][-2000:]  # unchanged text shortened
    restore = client.get(f"/admin/guide/section/{section.pk}/history/{first.pk}/").content.decode()
    summary = restore[restore.index('id="restore-changes"') :]
    summary = summary[: summary.index("</div>")]
    assert "<ins>" in summary and "<del>" in summary
    assert "Tekst" in summary and "formålet" in summary  # the text restoring brings back


def test_a_missing_change_note_is_reported_at_the_top_of_the_form(guide, client, editor):
    client.force_login(editor)
    section = guide["chapters"][0].sections.get(slug="del-1")
    data = section_form_data(section, "", body="Endret uten notat.")
    page = client.post(f"/admin/guide/section/{section.pk}/change/", data).content.decode()
    summary = page.index('id="error-summary"')
    assert summary < page.index('name="body"')  # above the form's fields, not at the bottom
    assert 'href="#id_change_note"' in page[summary : summary + 1000]
    assert "Endringsnotat" in page[summary : summary + 1000]


def test_staff_preview_of_a_case_study_names_it_a_case_study(guide, client, editor):
    from guide.models import Chapter

    case = Chapter.objects.get(kind="case")
    client.force_login(editor)
    html = client.get(f"/admin/guide/chapter/{case.pk}/preview/").content.decode()
    assert '<p class="kicker">Eksempel</p>' in html
    assert '<p class="kicker">Kapittel</p>' not in html
    assert "Forhåndsvisning av arbeidsutkastet." in html
    assert "Facebook, Twitter" in html  # its channels, as on the public page
