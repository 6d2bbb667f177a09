"""In a browser, with the admin's JavaScript run: the screens moderators and editors use
show no English when the interface is bokmål (the calendar and action bar included)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import admin_log_in, make_staff, visit
from tests.english import english_in, english_strings


@pytest.fixture
def staff(open_guide):

    from comments.services import comment_publish, comment_submit
    from guide.models import Edition, EditionSection

    make_staff()
    where = EditionSection.objects.filter(edition=Edition.objects.current()).first()
    published = comment_submit(edition_section=where, name="Kari", body="En publisert kommentar.")
    comment_publish(comment=published)
    comment_submit(edition_section=where, name="Ola", body="En kommentar som venter.")
    return {"url": open_guide, "comment": published, "section": where.section}


@pytest.mark.parametrize("username", ["moderator", "redaktor"])
def test_admin_screens_show_no_english_in_bokmal(staff, page, username):
    from guide.models import Edition

    whole, anywhere = english_strings()
    url, comment, section = staff["url"], staff["comment"], staff["section"]
    edition = Edition.objects.current()
    admin_log_in(page, url, username)
    paths = [
        "/admin/",
        "/admin/comments/comment/",
        f"/admin/comments/comment/{comment.pk}/change/",
        f"/admin/comments/comment/{comment.pk}/history/",
        "/admin/guide/chapter/",
        f"/admin/guide/chapter/{section.chapter_id}/change/",
        f"/admin/guide/section/{section.pk}/change/",
        f"/admin/guide/section/{section.pk}/history/",
        "/admin/guide/edition/",
        f"/admin/guide/edition/{edition.pk}/change/",
    ]
    if username == "redaktor":
        paths.append("/admin/guide/edition/publish/")
    problems = {}
    for path in paths:
        visit(page, url, path)
        page.wait_for_load_state("networkidle")
        if path == "/admin/comments/comment/":
            page.locator("input.action-select").first.check()  # the action bar's counter
        english = english_in(page.content(), whole, anywhere)
        if english:
            problems[path] = english
    assert page.locator("html").get_attribute("lang") == "nb"
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_the_date_picker_speaks_bokmal(staff, page):
    from guide.models import Edition

    url = staff["url"]
    admin_log_in(page, url, "redaktor")
    visit(page, url, f"/admin/guide/edition/{Edition.objects.current().pk}/change/")
    page.wait_for_load_state("networkidle")
    page.locator(".datetimeshortcuts [id^=calendarlink]").first.click()
    calendar = page.locator(".calendarbox").first
    calendar.wait_for()
    text = calendar.inner_text()
    assert "I dag" in text and "I morgen" in text and "Today" not in text
    value = page.locator("input[name=comment_closes_0]").input_value()
    assert value.count(".") == 2 and "-" not in value, value  # dd.mm.yyyy


@pytest.mark.parametrize(
    ("username", "language"),
    [("moderator", "nb"), ("redaktor", "nb"), ("redaktor", "nn"), ("redaktor", "en")],
)
def test_changed_admin_screens_have_no_axe_violations(staff, page, username, language):
    from comments.services import comment_answer_save
    from guide.models import Edition
    from tests.browser.helpers import axe_violations, describe_violations

    url, comment, section = staff["url"], staff["comment"], staff["section"]
    comment_answer_save(comment=comment, outcome="accepted", response="Takk for innspillet.")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    admin_log_in(page, url, username)
    paths = [
        "/admin/comments/comment/",
        f"/admin/comments/comment/{comment.pk}/change/",
        f"/admin/comments/comment/{comment.pk}/history/",
        f"/admin/guide/section/{section.pk}/change/",
        f"/admin/guide/section/{section.pk}/history/",
        f"/admin/guide/chapter/{section.chapter_id}/change/",
    ]
    if username == "redaktor":
        first = section.history.last()
        paths += [
            f"/admin/guide/section/{section.pk}/history/{first.pk}/",
            "/admin/guide/edition/publish/",
        ]
    problems = []
    for path in paths:
        visit(page, url, path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            problems.append(describe_violations(path, violations))
    if username == "redaktor":  # the confirm step, with the round's warning
        visit(page, url, "/admin/guide/edition/publish/")
        page.fill("#id_number", "1.0")
        page.fill("#id_title", "Versjon 1.0")
        page.check("input[name=consultation][value=end]")
        page.click("input[type=submit]")
        page.locator("#round-plan").wait_for()
        assert page.locator("html").get_attribute("lang") == language
        violations = axe_violations(page)
        if violations:
            problems.append(describe_violations("publish, confirm", violations))
        assert Edition.objects.count() == 1
    assert not problems, "\n".join(problems)
