"""The whole loop in a browser: a moderator publishes and answers a comment, an editor
ticks it while revising the section and publishes a new edition, and the comment then
shows its outcome and links to the change."""

from __future__ import annotations

import io

import pytest

from tests.browser.helpers import admin_log_in, make_staff


@pytest.fixture
def loop_site(transactional_db, live_server):
    from django.core.management import call_command

    from comments.services import comment_submit
    from guide.models import Edition, EditionSection

    call_command("load_guide", stdout=io.StringIO())
    make_staff()
    section = EditionSection.objects.get(
        edition=Edition.objects.current(), edition_chapter__slug="ta-stilling", slug="formal"
    )
    comment = comment_submit(
        edition_section=section,
        name="Kari Nordmann",
        body="Avsnittet om formål bør nevne at formålet skal skrives ned.",
        quote="Start med formålet",
    )
    return live_server.url, comment


def test_from_comment_to_revision_to_published_outcome(loop_site, new_context):
    base, comment = loop_site

    # The moderator publishes the pending comment and answers it.
    moderator = new_context().new_page()
    admin_log_in(moderator, base, "moderator")
    moderator.goto(f"{base}/admin/comments/comment/{comment.pk}/change/")
    moderator.select_option("#id_status", "published")
    moderator.fill("#id_draft_response", "Takk! Vi ser på dette i neste versjon.")
    moderator.click("input[name=_publish_answer]")
    moderator.wait_for_url(f"{base}/admin/comments/comment/")

    # The editor sees the comment beside the text, ticks it, saves a revision...
    editor = new_context().new_page()
    admin_log_in(editor, base, "redaktor")
    from guide.models import Section

    section = Section.objects.get(chapter__slug="ta-stilling", slug="formal")
    editor.goto(f"{base}/admin/guide/section/{section.pk}/change/")
    box = editor.get_by_label("Kari Nordmann", exact=False)
    box.check()
    editor.select_option("#id_addressed_outcome", "accepted")
    editor.fill("#id_body", section.body + "\n\nSkriv formålet ned, så dere kan måle det senere.")
    editor.fill("#id_change_note", "La til at formålet skal skrives ned, etter innspill")
    editor.click("input[name=_save]")
    editor.wait_for_url(f"{base}/admin/guide/section/")

    # ...and publishes edition 1.0 through the confirmation page.
    editor.goto(f"{base}/admin/guide/edition/publish/")
    editor.fill("#id_number", "1.0")
    editor.fill("#id_title", "Versjon 1.0")
    editor.fill("#id_summary", "Presisering om formål.")
    editor.click("input[type=submit]")
    assert "Husk formålet" in editor.content()  # the changed section is listed
    editor.click("input[name=confirm]")
    editor.wait_for_url(f"{base}/admin/guide/edition/")

    # The outcome the editor chose is a draft until the moderator publishes it.
    reader = new_context().new_page()
    reader.goto(f"{base}/kommentarer/{comment.pk}/")
    assert "Tatt til følge" not in reader.inner_text("main")
    moderator.goto(f"{base}/admin/comments/comment/{comment.pk}/change/")
    assert "Tatt til følge" in moderator.locator(".answer-preview").inner_text()
    moderator.click("input[name=_publish_answer]")
    moderator.wait_for_url(f"{base}/admin/comments/comment/")

    # The public sees the outcome and the link to the changed text.
    reader = new_context().new_page()
    reader.goto(f"{base}/kommentarer/{comment.pk}/")
    text = reader.content()
    assert "Vi ser på dette i neste versjon." in text
    assert reader.locator("a[href='/versjoner/1.0/ta-stilling/#formal']").count() == 1
    reader.goto(f"{base}/veileder/ta-stilling/formal/")
    assert "Skriv formålet ned" in reader.content()
