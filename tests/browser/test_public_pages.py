"""Every public page and state (empty states, error states, 404, 410), in bokmål, nynorsk
and English, in a real browser:

- axe-core finds no violations (WCAG 2.0/2.1 A and AA, and best practice);
- the structure holds: `<html lang>` is the interface language, one h1, one main, no
  skipped heading levels, and the language switcher links to the same address in the
  other two languages;
- reflow: at 320 CSS pixels wide nothing scrolls sideways;
- text size: with the browser's font size at 200% nothing scrolls sideways and no text
  is cut off.

One data set and one live server serve the whole module (see `site` in conftest.py).
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import (
    CLIPPED_JS,
    STRUCTURE_JS,
    axe_violations,
    describe_violations,
    heading_skips,
    horizontal_overflow,
    set_text_size,
    visit,
)
from tests.browser.sitedata import LANGUAGES, MARKERS, PAGES, POSTS, hide_comments

PARAMS = [
    pytest.param(name, language, id=f"{language}-{name}")
    for language in LANGUAGES
    for name in PAGES
]
ERROR_TITLE_PREFIXES = ("Feil:", "Error:")


def open_page(page, site, name: str) -> None:
    """Go to the page `name` of the data set, sending its form if its state needs one."""
    path, status = site.paths[name], PAGES[name]
    post = POSTS.get(name)
    if post is None:
        visit(page, site.base_url, path, status)
        return
    visit(page, site.base_url, path)
    form = page.locator(post.selector).first
    for field, value in post.fields.items():
        if form.locator(f'input[type=radio][name="{field}"]').count():
            form.locator(f'input[type=radio][name="{field}"][value="{value}"]').check()
        else:
            form.locator(f"[name={field}]").fill(value)
    with page.expect_navigation(wait_until="load") as navigation:
        form.locator("button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == post.status, (
        f"sending the form on {path}: HTTP {response.status if response else None}, "
        f"expected {post.status}"
    )


def assert_in_state(page, name: str) -> None:
    marker = MARKERS.get(name)
    if marker:
        assert marker in page.content(), f"{name}: the page is not in its state, lacks {marker!r}"


def page_state(name: str):
    return hide_comments() if name == "comments-empty" else contextlib.nullcontext()


SWITCHER_JS = """() => [...document.querySelectorAll('nav.language li > *')].map((el) => ({
  tag: el.tagName.toLowerCase(),
  lang: el.getAttribute('lang'),
  hreflang: el.getAttribute('hreflang'),
  href: el.getAttribute('href'),
  current: el.getAttribute('aria-current'),
}))"""


def structure_problems(page, language: str, status: int) -> list[str]:
    problems = []
    info = page.evaluate(STRUCTURE_JS)
    if info["lang"] != language:
        problems.append(f"<html lang={info['lang']!r}>, expected {language!r}")
    if info["h1"] != 1:
        problems.append(f"{info['h1']} h1 elements, expected exactly one")
    if info["main"] != 1:
        problems.append(f"{info['main']} main landmarks, expected exactly one")
    skips = heading_skips(info["headings"])
    if skips:
        problems.append(f"heading levels skipped: {'; '.join(skips)}")
    if status == 400 and not page.title().startswith(ERROR_TITLE_PREFIXES):
        problems.append(f"an error state's title should start with 'Error:': {page.title()!r}")

    here = page.evaluate("() => location.pathname + location.search")
    items = {item["lang"]: item for item in page.evaluate(SWITCHER_JS)}
    if sorted(items) != sorted(LANGUAGES):
        problems.append(f"the language switcher offers {sorted(items)}, expected all three")
        return problems
    if items[language]["tag"] == "a" or items[language]["current"] != "true":
        problems.append(f"the current language {language!r} should be marked, not linked")
    for other in LANGUAGES:
        if other == language:
            continue
        link = items[other]
        if link["tag"] != "a" or link["hreflang"] != other:
            problems.append(f"the switcher's {other!r} entry is not a link with hreflang")
            continue
        url = urlsplit(link["href"])
        query = parse_qs(url.query)
        if url.path != "/sprak/" or query.get("lang") != [other] or query.get("next") != [here]:
            problems.append(
                f"the switcher's {other!r} link {link['href']!r} does not lead back to {here!r}"
            )
    return problems


def page_problems(page, name: str, language: str, status: int) -> list[str]:
    """Everything this module checks on the page open in `page`, as a list of problems.
    Leaves the page at 320px wide and 100% text size."""
    violations = axe_violations(page)
    problems = [describe_violations(name, violations)] if violations else []
    problems += structure_problems(page, language, status)

    set_text_size(page, 200)
    root = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    if root != "32px":
        problems.append(f"at 200% text size the root font size is {root}, expected 32px")
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(f"at 200% text size, {overflow}")
    clipped = page.evaluate(CLIPPED_JS)
    if clipped:
        problems.append(f"at 200% text size, text is cut off: {clipped}")
    set_text_size(page, 100)

    page.set_viewport_size({"width": 320, "height": 640})
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(f"at 320px wide, {overflow}")
    return problems


@pytest.mark.parametrize(("name", "language"), PARAMS)
def test_public_page(site_pages, site, name, language):
    page = site_pages[language]
    page.set_viewport_size(VIEWPORT)
    label = f"{language} {name} ({site.paths[name][:60]})"
    with page_state(name):
        open_page(page, site, name)
        assert_in_state(page, name)
        problems = page_problems(page, name, language, PAGES[name])
    assert not problems, f"{label}:\n" + "\n".join(f"- {p}" for p in problems)
