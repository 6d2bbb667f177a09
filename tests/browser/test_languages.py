"""The interface languages in a real browser: the switcher works without JavaScript, keeps
the address and remembers the choice; text in another language than the interface is
marked with `lang`; dates follow the chosen language; and screenshots of the chapter page
in each language, narrow and wide, for people to look at (test-artifacts/screenshots/).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.helpers import VIEWPORT, horizontal_overflow, visit
from tests.browser.sitedata import LANGUAGES, PAGES

LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "nn": "Norsk (nynorsk)", "en": "English"}
SWITCH_LINK = "nav.language a[hreflang={}]"
YEAR = 365 * 24 * 3600

HTML_LANG_JS = "() => document.documentElement.getAttribute('lang')"
HERE_JS = "() => location.pathname + location.search"


def language_cookie(context, base_url: str) -> dict | None:
    from django.conf import settings

    cookies = context.cookies(base_url)
    return next((c for c in cookies if c["name"] == settings.LANGUAGE_COOKIE_NAME), None)


# --- the language switcher -----------------------------------------------------------

SWITCH_PAGES = ["chapter", "search-results", "comments-filter-no-match", "compare"]


@pytest.mark.parametrize("name", SWITCH_PAGES)
def test_switching_language_without_javascript_keeps_the_address(new_context, site, name):
    """Each switch is a plain link (no JavaScript here) that brings the reader back to the
    same address, query string included, now in the chosen language."""
    page = new_context(java_script_enabled=False).new_page()
    visit(page, site.base_url, site.paths[name], PAGES[name])
    start = page.evaluate(HERE_JS)
    assert page.evaluate(HTML_LANG_JS) == "nb", "bokmål is the default"
    for language in ["nn", "en", "nb"]:
        with page.expect_navigation(wait_until="load") as navigation:
            page.click(SWITCH_LINK.format(language))
        response = navigation.value
        assert response is not None and response.status == PAGES[name]
        assert page.evaluate(HERE_JS) == start, f"switching to {language} changed the address"
        shown = page.evaluate(HTML_LANG_JS)
        headers = response.all_headers()
        assert shown == language, (
            f"after switching to {language!r} the page is in {shown!r}: the browser showed "
            f"the copy it had cached for this address (Cache-Control: "
            f"{headers.get('cache-control')!r}, Vary: {headers.get('vary')!r}; a page whose "
            "language comes from a cookie needs Vary: Cookie, or must be revalidated)"
        )
        current = page.locator("nav.language [aria-current=true]")
        assert current.get_attribute("lang") == language


def test_the_choice_is_remembered(new_context, site):
    """The choice lives in a cookie kept for a year: later pages, and a later visit
    (a new browser session with the same cookies), are in that language."""
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    visit(page, site.base_url, site.paths["front"])
    with page.expect_navigation(wait_until="load"):
        page.click(SWITCH_LINK.format("nn"))
    cookie = language_cookie(context, site.base_url)
    assert cookie is not None and cookie["value"] == "nn", cookie
    assert cookie["expires"] > time.time() + 0.9 * YEAR, (
        f"the language cookie should last about a year, expires {cookie['expires']}"
    )
    for name in ["chapter", "comments", "not-found"]:
        visit(page, site.base_url, site.paths[name], PAGES[name])
        assert page.evaluate(HTML_LANG_JS) == "nn", f"{name} forgot the choice"

    later = new_context(storage_state=context.storage_state()).new_page()
    visit(later, site.base_url, site.paths["section"])
    assert later.evaluate(HTML_LANG_JS) == "nn", "a later visit forgot the choice"


def test_the_switcher_refuses_to_leave_the_site(new_context, site):
    page = new_context().new_page()
    visit(page, site.base_url, "/sprak/?lang=en&next=https://example.org/")
    assert page.url == site.base_url + "/", page.url
    assert page.evaluate(HTML_LANG_JS) == "en"


# --- lang on text in another language ------------------------------------------------

# Elements that hold the guide's own text (bokmål), by page.
GUIDE_TEXT = {
    "chapter": [
        "main h1",
        ".breadcrumbs [aria-current=page]",
        ".chapter > .prose",
        ".in-page a",
        ".guide-section h2",
        ".guide-section .prose",
        ".section-actions .comment-link .visually-hidden",
        ".sidebar .toc a",
        ".pager a > span:not(.pager__label)",
    ],
    "section": [
        "main h1",
        ".kicker a",
        ".breadcrumbs li:nth-child(3) a",
        ".section-page .prose",
        ".comment__quote blockquote",
    ],
    "case": ["main h1", ".facts dd:first-of-type", ".guide-section .prose", ".sidebar .toc a"],
    "cases": [".card h2 a", ".card p"],
    "contents": [".toc a"],
    "front": [".toc a"],
    "whole-guide": [
        ".in-page a",
        ".whole-chapter > h2 > span",
        ".whole-chapter .guide-section h3",
        ".whole-chapter .prose",
    ],
    "edition": [".toc a", ".summary"],
    "edition-chapter": ["main h1", ".guide-section h2", ".guide-section .prose"],
    "compare": [
        ".change-chapter > h2 > span:first-child",
        ".change__heading > span:first-child",
        ".diff",
    ],
    "chapter-history": [".change__heading > span:first-child", ".diff"],
    "comments": ["#kapittel option:not([value=''])"],
    "consultation-report-earlier": [
        "#versjon option",
        ".report-chapter h2",
        ".report-chapter h3",
    ],
    "search-results": [".result--section .result__title a", ".result--section .result__snippet"],
    "receipt": [".facts dd:first-of-type"],
}

# Interface text next to the guide's text: it must stay in the interface language.
INTERFACE_TEXT = {
    "chapter": [
        ".skip-link",
        ".site-nav a",
        ".chapter__header .kicker",
        ".section-actions a",
        ".in-page__heading",
        ".pager__label",
    ],
    "section": [".comments h2", ".comment-area h2", ".comment-form label"],
    "compare": ["main h1", ".diff .visually-hidden"],
    "whole-guide": ["main h1", ".source-link a"],
}

LANG_OF_JS = """({selectors, expected}) => selectors.map((selector) => {
  const found = [...document.querySelectorAll(selector)];
  return {
    selector,
    count: found.length,
    wrong: found
      .map((el) => ({lang: (el.closest('[lang]') || {}).lang || null,
                     text: (el.textContent || '').trim().slice(0, 40)}))
      .filter((item) => item.lang !== expected)
      .slice(0, 3),
  };
})"""


def languages_of(page, selectors: list[str], expected: str) -> list[str]:
    """For each selector: problems if nothing matches, or if a match's language (its own
    or its nearest ancestor's `lang`) is not `expected`."""
    problems = []
    for item in page.evaluate(LANG_OF_JS, {"selectors": selectors, "expected": expected}):
        if not item["count"]:
            problems.append(f"{item['selector']}: nothing matches (has the page changed?)")
        for wrong in item["wrong"]:
            problems.append(
                f"{item['selector']}: {wrong['text']!r} is in {wrong['lang']!r}, "
                f"expected {expected!r}"
            )
    return problems


@pytest.mark.parametrize("language", ["nn", "en"])
def test_guide_text_is_marked_as_bokmal(site_pages, site, language):
    """With the interface in nynorsk or English, the guide's text (written in bokmål)
    carries lang="nb", and the interface text around it does not."""
    page = site_pages[language]
    page.set_viewport_size(VIEWPORT)
    problems = []
    for name in sorted(set(GUIDE_TEXT) | set(INTERFACE_TEXT)):
        visit(page, site.base_url, site.paths[name], PAGES[name])
        problems += [f"{name}: {p}" for p in languages_of(page, GUIDE_TEXT.get(name, []), "nb")]
        problems += [
            f"{name}: {p}" for p in languages_of(page, INTERFACE_TEXT.get(name, []), language)
        ]
    assert not problems, "\n".join(problems)


COMMENT_LANGS_JS = """() => [...document.querySelectorAll('.comment, .reply')].map((el) => {
  const body = el.matches('.comment') ? el.querySelector(':scope > .comment__body')
    : el.querySelector(':scope > [lang]');
  return {
    id: el.id,
    lang: body ? (body.closest('[lang]') || {}).lang : null,
  };
})"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_comments_are_marked_with_the_language_they_were_written_in(site_pages, site, language):
    page = site_pages[language]
    page.set_viewport_size(VIEWPORT)
    expected = {
        f"kommentar-{site.comment_ids['quoted']}": "nb",
        f"kommentar-{site.comment_ids['nynorsk']}": "nn",
        f"kommentar-{site.comment_ids['english']}": "en",
        f"kommentar-{site.comment_ids['reply']}": "en",
    }
    problems = []
    for name in ["comments", "section", "comment"]:
        visit(page, site.base_url, site.paths[name])
        found = {item["id"]: item["lang"] for item in page.evaluate(COMMENT_LANGS_JS)}
        for comment_id, lang in found.items():
            if comment_id in expected and lang != expected[comment_id]:
                problems.append(
                    f"{name}: #{comment_id} is marked {lang!r}, written in {expected[comment_id]!r}"
                )
        if not set(found) & set(expected):
            problems.append(f"{name}: no comments found")
    assert not problems, "\n".join(problems)


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_follow_the_interface_language(site_pages, site, language):
    dates = site.published_dates
    assert dates["en"]["1.2"] != dates["nb"]["1.2"], "the check needs dates that differ"
    page = site_pages[language]
    page.set_viewport_size(VIEWPORT)
    visit(page, site.base_url, site.paths["chapter"])
    meta = page.inner_text(".chapter__header .meta")
    footer = page.inner_text(".edition-line")
    expected = dates[language]["1.2"]
    assert expected in meta, f"chapter: {meta!r} lacks the date {expected!r}"
    assert expected in footer, f"footer: {footer!r} lacks the date {expected!r}"

    visit(page, site.base_url, site.paths["comments"])
    shown = page.locator(".comment__meta time").first.inner_text()
    assert shown == dates[language]["0.9"], f"comment date {shown!r}, expected {dates[language]}"
    for other in LANGUAGES:
        if dates[other]["1.2"] != expected:
            assert dates[other]["1.2"] not in footer, f"{other} date in the {language} footer"


# --- screenshots ---------------------------------------------------------------------


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", LANGUAGES)
def test_chapter_screenshots(site_pages, site, screenshots_dir, language, width):
    """Screenshots of the chapter page for people to look at. At 320px nothing may
    scroll sideways (test_public_pages checks every page; this is the one we look at)."""
    page = site_pages[language]
    page.set_viewport_size({"width": width, "height": 900})
    visit(page, site.base_url, site.paths["chapter"])
    target = screenshots_dir / f"chapter-ta-stilling-{language}-{width}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    assert page.evaluate(HTML_LANG_JS) == language
    if width == 320:
        overflow = horizontal_overflow(page)
        assert overflow is None, overflow
