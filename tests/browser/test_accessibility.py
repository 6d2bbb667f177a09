"""Accessibility of the public pages in a real browser: axe-core, page structure,
keyboard use, language switching, no-JavaScript rendering and narrow screens."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

# (path, expected HTTP status)
PAGES = [
    ("/", 200),
    ("/veileder/", 200),
    ("/veileder/ta-stilling/", 200),
    ("/veileder/ta-stilling/formal/", 200),
    ("/eksempler/", 200),
    ("/eksempler/barneombudet/", 200),
    ("/versjoner/", 200),
    ("/versjoner/0.9/", 200),
    ("/versjoner/0.9/ta-stilling/", 200),
    ("/personvern/", 200),
    ("/tilgjengelighet/", 200),
    ("/finnes-ikke/", 404),
]
PAGE_PARAMS = [pytest.param(path, status, id=path) for path, status in PAGES]

CHAPTER = "/veileder/ta-stilling/"
SKIP_LINK_TEXTS = {"Hopp til hovedinnholdet", "Skip to main content"}

_axe = Axe()


def visit(page, base_url: str, path: str, status: int = 200):
    response = page.goto(base_url + path, wait_until="load")
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    return response


def describe_violations(path: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {path}:"]
    for violation in violations:
        nodes = violation.get("nodes", [])
        targets = [", ".join(map(str, node.get("target", []))) for node in nodes[:3]]
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation.get('help')}\n"
            f"    targets: {' | '.join(targets)}{more}\n"
            f"    {violation.get('helpUrl', '')}"
        )
        if nodes:
            summary = (nodes[0].get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    first node: {nodes[0].get('html', '')[:200]}")
            if summary:
                lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize(("path", "status"), PAGE_PARAMS)
def test_axe_finds_no_violations(page, published_guide, path, status):
    visit(page, published_guide, path, status)
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, describe_violations(path, violations)


STRUCTURE_JS = """() => {
  const visible = (el) => !el.closest('[hidden], [aria-hidden="true"]');
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(visible)
    .map((el) => ({level: Number(el.tagName[1]), text: el.textContent.trim().slice(0, 60)}));
  return {
    lang: document.documentElement.getAttribute('lang'),
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role="main"]').length,
    headings,
  };
}"""


def heading_skips(headings: list[dict]) -> list[str]:
    """Each heading may go at most one level deeper than the one before it."""
    problems = []
    previous = 0
    for heading in headings:
        if heading["level"] > previous + 1:
            before = f"h{previous}" if previous else "start of page"
            problems.append(f"{before} -> h{heading['level']} ({heading['text']!r})")
        previous = heading["level"]
    return problems


@pytest.mark.parametrize(("path", "status"), PAGE_PARAMS)
def test_page_structure(page, published_guide, path, status):
    visit(page, published_guide, path, status)
    info = page.evaluate(STRUCTURE_JS)
    assert info["lang"] == "nb", f"{path}: <html lang={info['lang']!r}>, expected 'nb'"
    assert info["h1"] == 1, f"{path}: {info['h1']} h1 elements, expected exactly one"
    assert info["main"] == 1, f"{path}: {info['main']} main landmarks, expected exactly one"
    skips = heading_skips(info["headings"])
    assert not skips, f"{path}: heading levels skipped: {'; '.join(skips)}"


ACTIVE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const main = document.querySelector('main');
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    cls: el.className && typeof el.className === 'string' ? el.className : '',
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 50),
    href: el.getAttribute('href'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
    viewport: {width: window.innerWidth, height: window.innerHeight},
    inMain: !!main && (el === main || main.contains(el)),
  };
}"""


def describe(element: dict) -> str:
    name = element["tag"]
    if element["id"]:
        name += f"#{element['id']}"
    if element["cls"]:
        name += "." + ".".join(element["cls"].split())
    return f"<{name}> {element['text']!r}" + (f" href={element['href']}" if element["href"] else "")


def has_focus_indicator(element: dict) -> bool:
    outline = element["outlineStyle"] != "none" and element["outlineWidth"] > 0
    shadow = element["boxShadow"] not in ("", "none")
    return outline or shadow


def test_keyboard_skip_link_and_focus_indicators(page, published_guide):
    visit(page, published_guide, CHAPTER)

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


def test_language_switch_keeps_the_url(page, published_guide):
    visit(page, published_guide, "/sprak/?lang=nn&next=/veileder/")
    assert page.evaluate("() => new URL(location.href).pathname") == "/veileder/"
    assert page.evaluate("() => document.documentElement.lang") == "nn"
    # The choice sticks: the next page is in nynorsk too, at the same URL as before.
    visit(page, published_guide, CHAPTER)
    assert page.evaluate("() => document.documentElement.lang") == "nn"


def test_chapter_renders_without_javascript(new_context, published_guide):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, published_guide, CHAPTER)
    assert page.locator('section[id="formal"]').count() == 1
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("width", [320, 1280])
def test_chapter_screenshot_and_no_horizontal_scroll(
    new_context, published_guide, screenshots_dir, width
):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    visit(page, published_guide, CHAPTER)
    target = screenshots_dir / f"chapter-ta-stilling-{width}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    if width <= 320:
        sizes = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
              .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
              .slice(0, 5)
              .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                + ' right=' + Math.round(el.getBoundingClientRect().right))"""
        )
        assert sizes["scroll"] <= sizes["inner"], (
            f"horizontal scrolling at {width}px: scrollWidth {sizes['scroll']} > "
            f"innerWidth {sizes['inner']}; too wide: {wide}"
        )


@pytest.mark.parametrize("width", [320, 1280])
def test_main_menu_lines_up_with_the_header(new_context, published_guide, width):
    """The main menu sits in the same padded column as the site name, not against the
    window's edge (where its focus ring would also be cut off)."""
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    visit(page, published_guide, CHAPTER)
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
