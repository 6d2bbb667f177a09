"""The public pages of a site where nothing is published yet, in every language: the same
checks as test_public_pages.py (axe-core, structure, 200% text, 320px) on their empty
states. A module of its own, because its database must stay empty."""

from __future__ import annotations

import pytest

from tests.browser.helpers import VIEWPORT, assert_in_state, page_problems, visit
from tests.browser.sitedata import EMPTY_PAGES, LANGUAGES

PARAMS = [
    pytest.param(name, language, id=f"{language}-{name}")
    for language in LANGUAGES
    for name in EMPTY_PAGES
]


@pytest.mark.parametrize(("name", "language"), PARAMS)
def test_public_page_before_anything_is_published(site_pages, empty_site, name, language):
    path, status = EMPTY_PAGES[name]
    page = site_pages[language]
    page.set_viewport_size(VIEWPORT)
    visit(page, empty_site.base_url, path, status)
    assert_in_state(page, name)
    problems = page_problems(page, name, language, status)
    assert not problems, f"{language} {name} ({path}):\n" + "\n".join(f"- {p}" for p in problems)
