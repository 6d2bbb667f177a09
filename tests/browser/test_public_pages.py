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

import pytest

from tests.browser.helpers import VIEWPORT, assert_in_state, page_problems, visit
from tests.browser.sitedata import LANGUAGES, PAGES, POSTS, hide_comments

PARAMS = [
    pytest.param(name, language, id=f"{language}-{name}")
    for language in LANGUAGES
    for name in PAGES
]


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


def page_state(name: str):
    return hide_comments() if name == "comments-empty" else contextlib.nullcontext()


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
