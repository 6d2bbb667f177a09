from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from comments.models import Notification, Outcome, Status, WithheldReason
from comments.services import (
    comment_answer_publish,
    comment_publish,
    comment_respond,
    comment_withhold,
    notification_mail,
)
from guide.models import Edition
from publishing.services import edition_publish
from tests.factories import (
    bulk_comments,
    make_comment,
    on_commit_run,
    section_form_data,
    section_of,
)

QUEUE = "/admin/comments/comment/"


@pytest.fixture
def pending(open_guide):
    edition = open_guide["edition"]
    return [
        make_comment(edition, published=False, body=f"Ventende kommentar {n} her.", email=e)
        for n, e in enumerate(["a@example.no", "", "c@example.no"])
    ]


def _action(client, action: str, comments, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in comments], **extra}
    return client.post(QUEUE, data, follow=True)


def test_queue_shows_pending_first_and_counts_them_on_the_admin_index(pending, client, moderator):
    published = make_comment(pending[0].edition_section.edition, body="Allerede publisert.")
    client.force_login(moderator)
    queue = client.get(QUEUE)
    order = [c.pk for c in queue.context["cl"].result_list]
    assert order.index(published.pk) > max(order.index(c.pk) for c in pending)
    index = client.get("/admin/").content.decode()
    assert "3 kommentarer venter" in index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=pending", 3),
        ("epost=yes", 2),
        ("epost=no", 1),
        ("q=Ventende+kommentar+1", 1),
    ],
)
def test_queue_filters_and_search(pending, client, moderator, query, expected):
    client.force_login(moderator)
    response = client.get(f"{QUEUE}?{query}")
    assert response.context["cl"].result_count == expected


def test_bulk_publish_records_who_and_mails_each_author_once(pending, client, moderator):
    # The client runs on-commit work (the e-mails) as production would.
    client.force_login(moderator)
    response = _action(client, "publish_selected", pending)
    assert response.status_code == 200
    for comment in pending:
        comment.refresh_from_db()
        assert comment.status == Status.PUBLISHED and comment.published_at
        record = comment.history.first()
        assert (record.history_user, record.history_change_reason) == (moderator, "Published")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.no", "c@example.no"]
    _action(client, "publish_selected", pending)
    assert len(mail.outbox) == 2  # once per event, however often it is pressed


def test_withholding_needs_a_reason(pending, client, moderator):
    client.force_login(moderator)
    response = _action(client, "withhold_selected", pending[:1], reason="")
    assert "grunn" in response.content.decode()
    pending[0].refresh_from_db()
    assert pending[0].status == Status.PENDING
    _action(client, "withhold_selected", pending[:1], reason="personal_data")
    pending[0].refresh_from_db()
    assert (pending[0].status, pending[0].withheld_reason) == (Status.WITHHELD, "personal_data")
    assert pending[0].history.first().history_user == moderator


def test_mark_as_spam_and_the_report_counts_withheld_by_reason(pending, client, moderator):
    client.force_login(moderator)
    _action(client, "mark_as_spam", pending[:2])
    _action(client, "withhold_selected", pending[2:], reason="offensive")
    report = client.get("/horing/rapport/")
    assert report.status_code == 200
    withheld = dict(report.context["withheld"])
    assert sorted(withheld.values()) == [1, 2]


def test_moderator_sets_outcome_and_response_shown_publicly_mailed_once(
    open_guide, client, moderator
):
    # make_comment's own e-mail (published) runs inside the capture below; the client's
    # posts run theirs themselves.
    with on_commit_run():
        comment = make_comment(open_guide["edition"], email="forfatter@example.no")
    client.force_login(moderator)
    data = {
        "status": "published",
        "withheld_reason": "",
        "draft_outcome": "declined",
        "draft_explanation": "Veilederen skal ikke gi regler.",
        "draft_response": "Takk for innspillet. Vi holder oss til prinsipper.",
    }
    url = f"{QUEUE}{comment.pk}/change/"
    assert client.post(url, {**data, "_publish_answer": "1"}).status_code == 302
    assert client.post(url, {**data, "_publish_answer": "1"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.outcome, comment.responded_by) == ("declined", moderator)
    assert not comment.has_draft_answer
    mails = [m.subject for m in mail.outbox if m.to == ["forfatter@example.no"]]
    assert len(mails) == len(set(mails)) == 3  # receipt, published, outcome: each once
    page = client.get(comment.get_absolute_url()).content.decode()
    assert "Vi holder oss til prinsipper." in page
    assert "Veilederen skal ikke gi regler." in page


def test_the_outcome_mail_is_in_the_language_the_comment_was_written_in(open_guide):
    nn = make_comment(open_guide["edition"], email="nn@example.no", language="nn")
    en = make_comment(open_guide["edition"], email="en@example.no", language="en")
    with on_commit_run():
        comment_respond(comment=nn, outcome=Outcome.NOTED)
        comment_respond(comment=en, outcome=Outcome.NOTED)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["en@example.no"] == "We have considered your comment"
    assert subjects["nn@example.no"] != subjects["en@example.no"]


def test_withholding_in_the_change_form_needs_a_reason(open_guide, client, moderator):
    comment = make_comment(open_guide["edition"], published=False)
    client.force_login(moderator)
    data = {"status": "withheld", "withheld_reason": "", "outcome": "open"}
    response = client.post(f"{QUEUE}{comment.pk}/change/", data)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_editor_ticks_comments_that_a_revision_addresses(open_guide, client, editor):
    edition = open_guide["edition"]
    comment = make_comment(edition, email="forfatter@example.no", quote="noe om formålet")
    other = make_comment(edition, body="En annen kommentar som ikke er tatt inn.")
    section = open_guide["chapters"][1].sections.get(slug="del-1")
    client.force_login(editor)
    page = client.get(f"/admin/guide/section/{section.pk}/change/").content.decode()
    assert "noe om formålet" in page and "En annen kommentar" in page

    data = section_form_data(
        section,
        "Presiserte formålet etter innspill",
        body="Ny tekst som sier tydelig hva formålet er.",
        addressed=[comment.pk],
        addressed_outcome="accepted",
        addressed_explanation="",
    )
    response = client.post(f"/admin/guide/section/{section.pk}/change/", data)
    assert response.status_code == 302
    comment.refresh_from_db()
    revision = section.history.first()
    assert comment.addressed_in_revision_id == revision.pk
    assert revision.history_change_reason == "Presiserte formålet etter innspill"
    # The outcome is a draft, and the editor's change note stays internal.
    assert (comment.outcome, comment.draft_outcome) == (Outcome.OPEN, Outcome.ACCEPTED)
    assert comment.outcome_explanation == comment.draft_explanation == ""
    assert "Presiserte formålet" not in client.get(comment.get_absolute_url()).content.decode()
    other.refresh_from_db()
    assert other.outcome == Outcome.OPEN and other.addressed_in_revision is None
    assert not [m for m in mail.outbox if m.to == ["forfatter@example.no"] and "1.0" in m.body]

    with on_commit_run():
        edition_publish(number="1.0", title="Versjon 1.0")
        edition_publish(number="1.1", title="Versjon 1.1")
    comment.refresh_from_db()
    assert comment.addressed_in_edition.number == "1.0"
    addressed = [m for m in mail.outbox if "1.0" in m.body]
    assert len(addressed) == 1  # "your comment led to a change", when 1.0 is published
    assert "Presiserte formålet" not in addressed[0].body
    comment_answer_publish(comment=comment, user=editor)
    page = client.get(comment.get_absolute_url()).content.decode()
    assert 'href="/versjoner/1.0/ta-stilling/#del-1"' in page


def test_moderation_digest_mails_moderators_what_waits(pending, moderator, capsys):
    moderator.email = "moderator@example.no"
    moderator.save()
    call_command("moderation_digest")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["moderator@example.no"]
    assert "3" in message.subject
    assert "Ventende kommentar 0 her." in message.body
    assert "a@example.no" not in message.body


def test_moderation_digest_sends_nothing_when_nothing_waits(open_guide, moderator, capsys):
    moderator.email = "moderator@example.no"
    moderator.save()
    call_command("moderation_digest")
    assert mail.outbox == []
    assert "nothing sent" in capsys.readouterr().out


@pytest.mark.parametrize("count", [10, 500])
def test_queue_query_count_is_fixed(
    open_guide, client, moderator, count, django_assert_num_queries
):
    bulk_comments(section_of(open_guide["edition"]), count)
    client.force_login(moderator)
    client.get(QUEUE)  # warm the permission and content-type caches
    # 1 session, 2 user, 3-4 user and group permissions, 5-6 the related-only filter
    # choices (chapters, editions), 7 count filtered, 8 count all, 9 the page of comments
    # with their sections and editions (and whether each needs attention), 10-11 the date
    # hierarchy (range, then days). The language filter lists the site's languages.
    with django_assert_num_queries(11):
        assert client.get(QUEUE).status_code == 200


ROLES = ["anonymous", "moderator", "editor", "superuser"]


@pytest.fixture
def as_role(client, moderator, editor, django_user_model):
    def login(role: str):
        if role == "moderator":
            client.force_login(moderator)
        elif role == "editor":
            client.force_login(editor)
        elif role == "superuser":
            client.force_login(
                django_user_model.objects.create_superuser("admin", "admin@example.no", "x" * 16)
            )
        return client

    return login


def _admin_pages(guide, comment) -> list[tuple[str, str, dict]]:
    chapter = guide["chapters"][0]
    section = chapter.sections.first()
    edition = guide["edition"]
    return [
        ("index", "/admin/", {}),
        ("chapter list", "/admin/guide/chapter/", {}),
        ("chapter change", f"/admin/guide/chapter/{chapter.pk}/change/", {}),
        ("chapter add", "/admin/guide/chapter/add/", {}),
        ("chapter history", f"/admin/guide/chapter/{chapter.pk}/history/", {}),
        ("chapter preview", f"/admin/guide/chapter/{chapter.pk}/preview/", {}),
        ("section list", "/admin/guide/section/", {}),
        ("section change", f"/admin/guide/section/{section.pk}/change/", {}),
        ("section history", f"/admin/guide/section/{section.pk}/history/", {}),
        ("edition list", "/admin/guide/edition/", {}),
        ("edition change", f"/admin/guide/edition/{edition.pk}/change/", {}),
        ("publish", "/admin/guide/edition/publish/", {}),
        ("comment list", QUEUE, {}),
        ("comment change", f"{QUEUE}{comment.pk}/change/", {}),
        ("comment history", f"{QUEUE}{comment.pk}/history/", {}),
        ("users", "/admin/accounts/user/", {}),
    ]


# Who may open what: True means 200, False means refused (403, or 302 to log in).
EXPECTED = {
    "moderator": {
        "chapter add": False,
        "publish": False,
        "users": False,
    },
    "editor": {"users": False},
    "superuser": {},
}


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_enforces_roles(open_guide, as_role, role):
    comment = make_comment(open_guide["edition"])
    client = as_role(role)
    for name, url, _ in _admin_pages(open_guide, comment):
        status = client.get(url).status_code
        if role == "anonymous":
            assert status == 302, (role, name, status)
            continue
        allowed = EXPECTED[role].get(name, True)
        assert (status == 200) is allowed, (role, name, status)


@pytest.mark.parametrize("role", ROLES)
def test_every_write_enforces_roles(open_guide, as_role, role):
    comment = make_comment(open_guide["edition"], published=False)
    chapter = open_guide["chapters"][0]
    client = as_role(role)
    results = {
        "publish comment": _action(client, "publish_selected", [comment]).redirect_chain,
    }
    comment.refresh_from_db()
    may_moderate = role in ("moderator", "editor", "superuser")
    assert (comment.status == Status.PUBLISHED) is may_moderate, results

    client.post(
        f"/admin/guide/chapter/{chapter.pk}/change/",
        {"title": "Endret", "change_note": "x"},
    )
    client.post("/admin/guide/edition/publish/", {"number": "2.0", "title": "Ny", "confirm": "1"})
    chapter.refresh_from_db()
    assert chapter.title == "Forord"  # incomplete form: nobody changes it this way
    may_publish = role in ("editor", "superuser")
    assert Edition.objects.filter(number="2.0").exists() is may_publish

    export = client.post(QUEUE, {"action": "export_selected", "_selected_action": [comment.pk]})
    got_export = export.status_code == 200 and export.get("Content-Type", "").startswith("text/csv")
    assert got_export is may_moderate


def test_open_data_exports_hold_no_email_or_client_hash(open_guide, client):
    comment = make_comment(open_guide["edition"], email="privat@example.no", client_hash="f" * 64)
    make_comment(open_guide["edition"], published=False, body="Ikke publisert ennå her.")
    csv_response = client.get("/horing/rapport/kommentarer.csv")
    body = b"".join(csv_response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffid,url,")
    assert "privat@example.no" not in body and "f" * 64 not in body
    assert "Ikke publisert" not in body
    assert comment.created_at.astimezone().date().isoformat() in body
    json_response = client.get("/horing/rapport/kommentarer.json")
    data = json.loads(b"".join(json_response.streaming_content))
    assert [c["id"] for c in data["comments"]] == [comment.pk]
    assert "email" not in data["comments"][0]
    assert client.get("/horing/rapport/kommentarer.xml").status_code == 404


def test_staff_export_command_includes_email(open_guide):
    make_comment(open_guide["edition"], email="privat@example.no")
    make_comment(open_guide["edition"], published=False, body="Ventende i eksporten her.")
    out = StringIO()
    call_command("export_comments", format="csv", stdout=out)
    assert "privat@example.no" in out.getvalue() and "Ventende i eksporten" in out.getvalue()
    out = StringIO()
    call_command("export_comments", format="json", stdout=out)
    rows = json.loads(out.getvalue())["comments"]
    assert {r["status"] for r in rows} == {"published", "pending"}


def test_feeds_escape_text_and_hold_no_email(open_guide, client):
    make_comment(
        open_guide["edition"],
        email="privat@example.no",
        body="<script>alert(1)</script> i feeden",
    )
    for url in ["/feed/kommentarer/", "/feed/kommentarer/ta-stilling/", "/feed/versjoner/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        text = response.content.decode()
        assert "privat@example.no" not in text
        # Feed readers decode the XML once and render the result as HTML: a comment's
        # markup must survive that as text, so it is escaped twice in the XML.
        assert "<script>" not in text and "&lt;script&gt;" not in text
    feed = client.get("/feed/kommentarer/ta-stilling/").content.decode()
    assert "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; i feeden" in feed
    assert "i feeden" not in client.get("/feed/kommentarer/forord/").content.decode()
    assert client.get("/feed/kommentarer/finnes-ikke/").status_code == 404


def test_consultation_pages(open_guide, client, django_assert_num_queries):
    make_comment(open_guide["edition"])
    accepted = make_comment(open_guide["edition"], body="Denne ble tatt til følge.")
    comment_respond(comment=accepted, outcome=Outcome.ACCEPTED, response="Vi har endret teksten.")
    page = client.get("/horing/")
    assert page.status_code == 200
    assert page.context["counts"] == {"received": 2, "published": 2, "answered": 1}
    # 1 editions, 2 outcome tallies, 3 comments with outcomes, 4 chapters, 5 sections,
    # 6 withheld per reason.
    with django_assert_num_queries(6):
        report = client.get("/horing/rapport/")
    html = report.content.decode()
    assert "Denne ble tatt til følge." in html and "Vi har endret teksten." in html
    assert client.get("/horing/rapport/?versjon=9.9").status_code == 200


def test_groups_exist_with_comment_permissions(db):
    moderator = Group.objects.get(name="Moderator")
    assert moderator.permissions.filter(codename="change_comment").exists()
    assert not moderator.permissions.filter(codename="change_section").exists()
    editor = Group.objects.get(name="Redaktør")
    assert editor.permissions.filter(codename="add_edition").exists()


def test_notifications_are_recorded_once(open_guide):
    """A comment published, withheld and published again tells its author once."""
    with on_commit_run():
        comment = make_comment(open_guide["edition"], email="x@example.no")
        comment_withhold(comment=comment, reason=WithheldReason.OFF_TOPIC)
        comment_publish(comment=comment)
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED  # it was published twice
    assert Notification.objects.filter(comment=comment, event="published").count() == 1
    subject, _body = notification_mail(comment, Notification.Event.PUBLISHED)
    assert [m.subject for m in mail.outbox].count(subject) == 1
