"""Answers are drafts until a moderator publishes them on purpose."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from comments.models import Comment, Outcome
from tests.factories import make_comment, on_commit_run, section_form_data

QUEUE = "/admin/comments/comment/"
EXPLANATION = "Vi har skrevet om avsnittet om arkivering."
RESPONSE = "Takk! Teksten er endret i neste versjon av veilederen."


def _public_texts(client, comment: Comment) -> str:
    """Everything the public can read about comments: pages, API, open data, feed."""
    parts = [
        client.get(comment.get_absolute_url()).content.decode(),
        client.get("/kommentarer/").content.decode(),
        client.get("/api/v1/comments/").content.decode(),
        client.get("/feed/kommentarer/").content.decode(),
        client.get("/horing/rapport/").content.decode(),
    ]
    for fmt in ("csv", "json"):
        response = client.get(f"/horing/rapport/kommentarer.{fmt}")
        parts.append(b"".join(response.streaming_content).decode("utf-8"))
    return "\n".join(parts)


@pytest.fixture
def comment(open_guide):
    with on_commit_run():
        comment = make_comment(open_guide["edition"], email="forfatter@example.no")
    mail.outbox.clear()
    return comment


def _answer(comment: Comment, **extra) -> dict:
    return {
        "status": comment.status,
        "withheld_reason": "",
        "draft_outcome": Outcome.ACCEPTED,
        "draft_explanation": EXPLANATION,
        "draft_response": RESPONSE,
        **extra,
    }


def test_an_answer_saved_as_a_draft_is_neither_public_nor_mailed_until_published(
    comment, client, moderator
):
    client.force_login(moderator)
    url = f"{QUEUE}{comment.pk}/change/"
    assert client.post(url, _answer(comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.has_draft_answer and comment.draft_outcome == Outcome.ACCEPTED
    assert comment.outcome == Outcome.OPEN and not comment.response
    assert mail.outbox == []
    client.logout()
    public = _public_texts(client, comment)
    assert comment.body in public  # the comment itself is public...
    assert RESPONSE not in public and EXPLANATION not in public  # ...its draft answer not
    api = json.loads(client.get("/api/v1/comments/").content)
    assert {c["outcome"] for c in api["results"]} == {"open"}

    client.force_login(moderator)
    assert client.post(url, _answer(comment, _publish_answer="1")).status_code == 302
    comment.refresh_from_db()
    assert (comment.outcome, comment.response, comment.responded_by) == (
        Outcome.ACCEPTED,
        RESPONSE,
        moderator,
    )
    assert not comment.has_draft_answer
    assert [m.to for m in mail.outbox] == [["forfatter@example.no"]]
    assert RESPONSE in mail.outbox[0].body
    client.logout()
    public = _public_texts(client, comment)
    assert RESPONSE in public and EXPLANATION in public


def test_the_change_form_previews_the_draft_as_page_and_e_mail(comment, client, moderator):
    client.force_login(moderator)
    url = f"{QUEUE}{comment.pk}/change/"
    before = client.get(url).content.decode()
    assert 'name="_publish_answer"' in before and "Publiser svaret" in before
    client.post(url, _answer(comment))
    page = client.get(url).content.decode()
    preview = page[page.index('class="answer-preview"') :]
    assert RESPONSE in preview and EXPLANATION in preview
    assert "Vi har vurdert kommentaren din" in preview  # the e-mail's subject, in bokmål
    assert "Tatt til følge" in preview  # the outcome, in bokmål
    assert mail.outbox == []


def test_saving_the_published_answer_unchanged_leaves_no_draft(comment, client, moderator):
    client.force_login(moderator)
    url = f"{QUEUE}{comment.pk}/change/"
    client.post(url, _answer(comment, _publish_answer="1"))
    client.post(url, _answer(comment))
    comment.refresh_from_db()
    assert not comment.has_draft_answer
    assert len(mail.outbox) == 1


def test_an_answer_to_a_comment_not_yet_public_is_not_published(open_guide, client, moderator):
    pending = make_comment(open_guide["edition"], published=False, email="a@example.no")
    mail.outbox.clear()
    client.force_login(moderator)
    response = client.post(
        f"{QUEUE}{pending.pk}/change/",
        _answer(pending, _publish_answer="1"),
        follow=True,
    )
    assert "Publiser kommentaren først" in response.content.decode()
    pending.refresh_from_db()
    assert pending.has_draft_answer and pending.outcome == Outcome.OPEN
    assert mail.outbox == []


def test_bulk_publish_answers_publishes_drafts_and_skips_the_rest(
    open_guide, comment, client, moderator
):
    without_draft = make_comment(open_guide["edition"], email="b@example.no")
    client.force_login(moderator)
    client.post(f"{QUEUE}{comment.pk}/change/", _answer(comment))
    mail.outbox.clear()
    data = {"action": "publish_answers", "_selected_action": [comment.pk, without_draft.pk]}
    page = client.post(QUEUE, data, follow=True).content.decode()
    assert "1 svar publisert" in page and "1 kommentar hoppet over" in page
    comment.refresh_from_db()
    without_draft.refresh_from_db()
    assert comment.outcome == Outcome.ACCEPTED and not comment.has_draft_answer
    assert without_draft.outcome == Outcome.OPEN
    assert [m.to for m in mail.outbox] == [["forfatter@example.no"]]


def test_a_comment_with_an_outcome_can_still_be_linked_to_the_change(
    open_guide, comment, client, editor
):
    from comments.services import comment_respond

    comment_respond(comment=comment, outcome=Outcome.DECLINED, explanation="Først avslått.")
    mail.outbox.clear()
    section = comment.section
    client.force_login(editor)
    url = f"/admin/guide/section/{section.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert comment in form.fields["addressed"].queryset
    data = section_form_data(
        section,
        "Intern merknad: skrev om etter møte",
        body="En ny tekst etter en ny vurdering.",
        addressed=[comment.pk],
        addressed_outcome=Outcome.PARTLY,
        addressed_explanation="Vi har tatt inn deler av forslaget.",
    )
    assert client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.addressed_in_revision_id == section.history.first().pk
    assert (comment.outcome, comment.outcome_explanation) == (Outcome.DECLINED, "Først avslått.")
    assert comment.draft_outcome == Outcome.PARTLY
    assert comment.draft_explanation == "Vi har tatt inn deler av forslaget."
    assert "Intern merknad" not in comment.draft_explanation
    assert mail.outbox == []


def test_your_comment_led_to_a_change_waits_for_an_edition_that_holds_the_change(
    open_guide, comment, editor
):
    from comments.services import comments_address
    from publishing.services import edition_publish
    from tests.factories import edit

    section = comment.section
    original = section.body
    edit(section, "Endret etter innspill", body="En helt ny tekst etter innspillet.")
    comments_address(comments=[comment], revision=section.history.first(), user=editor)
    edit(section, "Angret", body=original)  # the change is undone before publishing
    with on_commit_run():
        edition_publish(number="1.0", title="Versjon 1.0")
    comment.refresh_from_db()
    assert comment.addressed_in_edition is None and mail.outbox == []

    edit(section, "Endret igjen", body="En helt ny tekst etter innspillet.")
    with on_commit_run():
        edition_publish(number="1.1", title="Versjon 1.1")
    comment.refresh_from_db()
    assert comment.addressed_in_edition.number == "1.1"
    assert [m.to for m in mail.outbox] == [["forfatter@example.no"]]
    assert "1.1" in mail.outbox[0].body
