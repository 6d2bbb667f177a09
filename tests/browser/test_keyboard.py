"""Keyboard-only journeys: read a chapter, comment, report a comment, switch language.

On every page of a journey, Tab goes through every focusable element in document order
(no positive tabindex, nothing hidden focused, nothing skipped), and the focused element
always shows a visible focus indicator inside the viewport (see helpers.check_tab_order).
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_focus_visible,
    check_tab_order,
    describe,
    focused,
    navigate,
    tab_to,
    visit,
)
from tests.browser.sitedata import LANGUAGES, SECTION

HTML_LANG_JS = "() => document.documentElement.getAttribute('lang')"
PATH_JS = "() => location.pathname + location.search"


def press_enter_and_wait(page, status: int | None = 200):
    return navigate(
        page, lambda: page.keyboard.press("Enter"), status=status, what="pressing Enter"
    )


def from_the_top(page) -> None:
    """Put the sequential focus starting point at the top of the page."""
    page.evaluate(
        """() => { window.scrollTo(0, 0); document.body.setAttribute('tabindex', '-1');
                   document.body.focus(); document.body.removeAttribute('tabindex'); }"""
    )


def test_read_a_chapter(language_page, site):
    page = language_page("nb")
    problems = []
    visit(page, site.base_url, site.paths["front"])
    problems += check_tab_order(page, "front page")

    # From the front page's table of contents to the chapter.
    chapter = site.paths["chapter"]
    from_the_top(page)
    tab_to(page, lambda e: e["href"] == chapter and e["inMain"], "the chapter in the contents")
    press_enter_and_wait(page)
    assert page.evaluate(PATH_JS) == chapter
    problems += check_tab_order(page, "chapter page")

    # The chapter's own contents: following a link moves the reading point there, so the
    # next Tab goes on from the section, not from the top of the page.
    from_the_top(page)
    tab_to(page, lambda e: e["href"] == f"#{SECTION}", f"the in-page link to #{SECTION}")
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => location.hash === '#' + id", arg=SECTION)
    page.keyboard.press("Tab")
    inside = page.evaluate("(id) => !!document.activeElement.closest('section#' + id)", SECTION)
    after = focused(page)
    assert_focus_visible(after)
    assert inside, f"after following #{SECTION}, Tab focused {describe(after)}, not in the section"

    # On to the next chapter.
    next_link = page.get_attribute(".pager a[rel=next]", "href")
    tab_to(page, lambda e: e["href"] == next_link, "the link to the next chapter")
    press_enter_and_wait(page)
    assert page.evaluate(PATH_JS) == next_link
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_comment_on_a_section_from_the_chapter_page(language_page, site, language):
    """Open the form under a section with Enter, fill it in and send it by keyboard; the
    receipt comes back in the same language (the forms exist in both written standards)."""
    page = language_page(language)
    visit(page, site.base_url, site.paths["chapter"])
    target = site.paths["section"] + "#kommenter"
    tab_to(page, lambda e: e["href"] == target, f"the comment link of #{SECTION}")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches('.inline-comment__heading')"
    )
    assert_focus_visible(focused(page))
    page.wait_for_selector("#inline-comment .comment-form [name=body]")

    values = {
        "id_body": "Tastaturet holder fint for å skrive en kommentar her.",
        "id_name": "Tone Tastatur",
    }
    seen = []
    while True:
        page.keyboard.press("Tab")
        element = focused(page)
        assert_focus_visible(element)
        assert element is not None and element["inMain"] or element["tag"] == "button", (
            f"focus left the form: {describe(element)}"
        )
        seen.append(element["id"] or element["tag"])
        if element["id"] in values:
            page.keyboard.type(values[element["id"]])
        if element["tag"] == "button":
            break
        assert len(seen) < 12, f"no submit button after {seen}"
    fields = [name for name in seen if name.startswith("id_")]
    assert fields == ["id_quote", "id_body", "id_name", "id_organisation", "id_email"], seen

    press_enter_and_wait(page)
    assert "/kommentarer/kvittering/" in page.evaluate(PATH_JS)
    assert page.evaluate(HTML_LANG_JS) == language
    problems = check_tab_order(page, "receipt")
    assert not problems, "\n".join(problems)


def test_report_a_comment(language_page, site):
    page = language_page("nb")
    visit(page, site.base_url, site.paths["comments"])
    report = f"/kommentarer/{site.comment_ids['english']}/rapporter/"
    tab_to(page, lambda e: e["href"] == report, "the report link of a comment")
    press_enter_and_wait(page)
    problems = check_tab_order(page, "report: confirm")

    from_the_top(page)
    tab_to(page, lambda e: e["tag"] == "input" and e["inMain"], "the first reason to report")
    page.keyboard.press("Space")
    tab_to(page, lambda e: e["tag"] == "button" and e["inMain"], "the report button")
    press_enter_and_wait(page)
    assert page.locator(".confirmation").count() == 1
    problems += check_tab_order(page, "report: done")

    # And back to the section the comment was on.
    from_the_top(page)
    tab_to(
        page,
        lambda e: e["inMain"] and (e["href"] or "").startswith(site.paths["section"]),
        "the link back to the section",
    )
    press_enter_and_wait(page)
    assert page.evaluate(PATH_JS).startswith(site.paths["section"])
    assert not problems, "\n".join(problems)


def test_switch_language_by_keyboard_without_javascript(new_context, site):
    """The switcher is reached early in the Tab order and works without JavaScript; the
    address stays the same and each page keeps a sound Tab order in every language."""
    page = new_context(java_script_enabled=False).new_page()
    path = site.paths["section"]
    visit(page, site.base_url, path)
    problems = []
    for language in ["nn", "en", "nb"]:
        element = tab_to(
            page,
            lambda e, language=language: (e["href"] or "").startswith(f"/sprak/?lang={language}&"),
            f"the link to {language}",
            limit=6,
        )
        assert not element["inMain"]
        press_enter_and_wait(page)
        assert page.evaluate(PATH_JS) == path, f"switching to {language} changed the address"
        assert page.evaluate(HTML_LANG_JS) == language
        problems += check_tab_order(page, f"section page in {language}")
        from_the_top(page)
    assert not problems, "\n".join(problems)
