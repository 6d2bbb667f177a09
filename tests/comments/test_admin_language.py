"""The admin screens editors and moderators use speak bokmål: no English string, no raw
stored values, times in local time and Norwegian format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from comments.models import Outcome
from comments.services import comment_answer_save, comment_respond, comment_withhold
from tests.english import english_in, english_strings
from tests.factories import make_comment, on_commit_run


@pytest.fixture
def site(open_guide, editor, moderator):
    """A guide with a comment that has a history: published, answered, reported,
    withheld, a draft answer; a section edited twice; a running round."""
    edition = open_guide["edition"]
    with on_commit_run():
        comment = make_comment(edition, email="a@example.no", quote="noe om formålet")
        comment_respond(
            comment=comment, outcome=Outcome.PARTLY, explanation="Delvis.", user=moderator
        )
        comment_answer_save(
            comment=comment, outcome=Outcome.ACCEPTED, response="Takk.", user=moderator
        )
        other = make_comment(edition, body="En kommentar som blir holdt tilbake.")
        comment_withhold(comment=other, reason="off_topic", user=moderator)
        make_comment(edition, published=False, body="En kommentar som venter.")
    section = open_guide["chapters"][1].sections.get(slug="del-1")
    for body in ("Første endring av teksten her.", "Andre endring av teksten her."):
        section.body = body
        section._change_reason = "Endret i test"
        section._history_user = editor
        section.revision += 1
        section.save()
    edition.comment_closes = timezone.now() + timedelta(days=30)
    edition._change_reason = "Utsatt frist"
    edition.save()
    mail.outbox.clear()
    return {**open_guide, "comment": comment, "other": other, "section": section}


def _pages(site) -> list[tuple[str, str, dict | None]]:
    comment, section = site["comment"], site["section"]
    chapter, edition = site["chapters"][1], site["edition"]
    first = section.history.last()
    return [
        ("admin index", "/admin/", None),
        ("moderation queue", "/admin/comments/comment/", None),
        ("queue, filtered", "/admin/comments/comment/?status__exact=pending&reported=any", None),
        ("queue, searched", "/admin/comments/comment/?q=kommentar", None),
        ("comment", f"/admin/comments/comment/{comment.pk}/change/", None),
        ("comment history", f"/admin/comments/comment/{comment.pk}/history/", None),
        ("withheld comment", f"/admin/comments/comment/{site['other'].pk}/change/", None),
        (
            "comment, refused",
            f"/admin/comments/comment/{comment.pk}/change/",
            {"status": "withheld", "withheld_reason": "", "draft_outcome": "open"},
        ),
        ("chapters", "/admin/guide/chapter/", None),
        ("chapter", f"/admin/guide/chapter/{chapter.pk}/change/", None),
        ("chapter history", f"/admin/guide/chapter/{chapter.pk}/history/", None),
        ("sections", "/admin/guide/section/", None),
        ("section", f"/admin/guide/section/{section.pk}/change/", None),
        ("new section", f"/admin/guide/section/add/?chapter={chapter.pk}", None),
        ("section history", f"/admin/guide/section/{section.pk}/history/", None),
        ("restore", f"/admin/guide/section/{section.pk}/history/{first.pk}/", None),
        (
            "section without change note",
            f"/admin/guide/section/{section.pk}/change/",
            {"chapter": chapter.pk, "heading": "Ny", "slug": "del-1", "order": 1, "body": "x"},
        ),
        ("editions", "/admin/guide/edition/", None),
        ("edition", f"/admin/guide/edition/{edition.pk}/change/", None),
        ("edition history", f"/admin/guide/edition/{edition.pk}/history/", None),
        ("publish", "/admin/guide/edition/publish/", None),
        (
            "publish, confirm",
            "/admin/guide/edition/publish/",
            {"number": "1.0", "title": "Versjon 1.0", "consultation": "end"},
        ),
        ("publish, refused", "/admin/guide/edition/publish/", {"number": "0.1", "title": "x"}),
    ]


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_the_admin_shows_no_english_when_the_interface_is_bokmal(site, client, role, request):
    _check_admin_pages(site, client, request.getfixturevalue(role), "nb")


def test_the_admin_shows_no_english_when_the_interface_is_nynorsk(site, client, editor):
    _check_admin_pages(site, client, editor, "nn")


def _check_admin_pages(site, client, user, language: str) -> None:
    whole, anywhere = english_strings(language)
    client.force_login(user)
    if language != "nb":
        client.cookies["django_language"] = language
    problems = {}
    for name, url, data in _pages(site):
        response = client.post(url, data) if data is not None else client.get(url)
        if response.status_code == 403:
            continue  # a page this role may not open (moderators cannot publish)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Language"] == language
        english = english_in(response.content.decode(), whole, anywhere)
        if english:
            problems[name] = english
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_checker_finds_english(site):
    """Guards the test above: the checker must see English where there is some."""
    whole, anywhere = english_strings()
    html = (
        '<p>Please correct the error below.</p><input type="submit" value="Run">'
        '<input placeholder="Start typing to filter…"><li>Outcome: open → partly</li>'
        "<td>2026-12-01 05:33:12.123456+00:00</td><p>Change history: Del 1</p>"
    )
    found = english_in(html, whole, anywhere)
    assert len(found) == 6, found
    assert not english_in("<p>Rett feilen nedenfor.</p><td>01.12.2026 06:33</td>", whole, anywhere)


def test_the_admin_javascript_catalogue_has_the_strings_django_lacks(client, moderator):
    """The calendar and clock of date fields and the action bar come from the admin's
    JavaScript catalogue: Django's bokmål and nynorsk ones lack the weekdays and more."""
    client.force_login(moderator)
    for language, sunday in (("nb", "søndag"), ("nn", "sundag")):
        client.cookies["django_language"] = language
        catalogue = client.get("/admin/jsi18n/").content.decode()
        assert f'"Sunday": {json.dumps(sunday)}' in catalogue
        assert '"Today (%(date)s)": "I dag (%(date)s)"' in catalogue
