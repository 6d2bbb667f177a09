"""Accessibility details of the chapter page in a real browser: the skip link, focus
indicators, rendering without JavaScript and the header's layout.

axe-core, page structure, reflow and text size on every public page in every language
are in test_public_pages.py; keyboard journeys in test_keyboard.py; languages in
test_languages.py. The helpers live in helpers.py (re-exported here for older imports).
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import (  # noqa: F401 - re-exported
    ACTIVE_JS,
    AXE_OPTIONS,
    SKIP_LINK_TEXTS,
    STRUCTURE_JS,
    describe,
    describe_violations,
    has_focus_indicator,
    heading_skips,
    visit,
)

CHAPTER = "/veileder/ta-stilling/"


def test_keyboard_skip_link_and_focus_indicators(page, site):
    visit(page, site.base_url, CHAPTER)

    page.keyboard.press("Tab")
    skip = page.evaluate(ACTIVE_JS)
    assert skip is not None, "the first Tab focused nothing"
    assert skip["tag"] == "a" and skip["text"] in SKIP_LINK_TEXTS, (
        f"the first Tab should focus the skip link, focused {describe(skip)}"
    )
    box, viewport = skip["box"], skip["viewport"]
    assert box["width"] > 0 and box["height"] > 0, f"skip link has no size when focused: {box}"
    assert (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    ), f"focused skip link is not inside the viewport: {box} in {viewport}"
    assert has_focus_indicator(skip), f"skip link has no visible focus indicator: {skip}"

    page.keyboard.press("Enter")
    after = page.evaluate(ACTIVE_JS)
    assert after is not None and after["inMain"], (
        f"Enter on the skip link should move focus to main, focus is on "
        f"{describe(after) if after else 'the body'}"
    )

    missing = []
    seen = 0
    for _ in range(15):
        page.keyboard.press("Tab")
        element = page.evaluate(ACTIVE_JS)
        if element is None:
            continue
        seen += 1
        if not has_focus_indicator(element):
            missing.append(
                f"{describe(element)} (outline {element['outlineStyle']} "
                f"{element['outlineWidth']}px, box-shadow {element['boxShadow']})"
            )
    assert seen, "Tab after the skip link focused nothing"
    assert not missing, "focused elements without a visible focus indicator:\n" + "\n".join(missing)


def test_chapter_renders_without_javascript(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, site.base_url, CHAPTER)
    assert page.locator('section[id="formal"]').count() == 1
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("width", [320, 1280])
def test_main_menu_lines_up_with_the_header(new_context, site, width):
    """The main menu sits in the same padded column as the site name, not against the
    window's edge (where its focus ring would also be cut off)."""
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    visit(page, site.base_url, CHAPTER)
    lefts = page.evaluate(
        """() => ({
          name: document.querySelector('.site-name').getBoundingClientRect().left,
          menu: document.querySelector('.site-nav a').getBoundingClientRect().left,
        })"""
    )
    assert abs(lefts["menu"] - lefts["name"]) <= 1, (
        f"at {width}px the first main-menu link starts at x={lefts['menu']:.0f}, "
        f"the site name at x={lefts['name']:.0f}"
    )
