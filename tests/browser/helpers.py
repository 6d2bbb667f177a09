"""Helpers shared by the browser tests: axe-core, focus, page structure and layout."""

from __future__ import annotations

import importlib
from urllib.parse import parse_qs, urlsplit

from axe_playwright_python.sync_playwright import Axe

from tests.browser.sitedata import LANGUAGES, MARKERS
from tests.factories import STAFF_PASSWORD, make_staff_user

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

VIEWPORT = {"width": 1280, "height": 900}
ERROR_TITLE_PREFIXES = ("Feil:", "Error:")

SKIP_LINK_TEXTS = {"Hopp til hovedinnholdet", "Hopp til hovudinnhaldet", "Skip to main content"}

_axe = Axe()


def visit(page, base_url: str, path: str, status: int = 200):
    response = page.goto(base_url + path, wait_until="load")
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    return response


def navigate(page, action, *, status: int | None = 200, what: str = "the page"):
    """Run `action` (a click, a key press) and wait for the page it leads to, which must
    answer `status` (any status: None)."""
    with page.expect_navigation(wait_until="load") as navigation:
        action()
    response = navigation.value
    if status is not None:
        assert response is not None and response.status == status, (
            f"{what}: HTTP {response.status if response else None}, expected {status}"
        )
    return response


def axe_violations(page) -> list[dict]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


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


def assert_no_axe_violations(page, label: str) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(label, violations)


# --- page structure ------------------------------------------------------------------

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


# --- focus ---------------------------------------------------------------------------

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
    kb: el.getAttribute('data-kb'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
    viewport: {width: window.innerWidth, height: window.innerHeight},
    inMain: !!main && (el === main || main.contains(el)),
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(ACTIVE_JS)


def describe(element: dict | None) -> str:
    if element is None:
        return "<body> (nothing focused)"
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


def focus_problems(element: dict | None) -> list[str]:
    """What is wrong with how the focused element shows: nothing focused, no visible
    indicator, no size, or (after the browser scrolled to it) outside the viewport."""
    if element is None:
        return ["focus is on the body"]
    problems = []
    if not has_focus_indicator(element):
        problems.append(
            f"{describe(element)} has no visible focus indicator (outline "
            f"{element['outlineStyle']} {element['outlineWidth']}px, "
            f"box-shadow {element['boxShadow']})"
        )
    box, viewport = element["box"], element["viewport"]
    if box["width"] <= 0 or box["height"] <= 0:
        problems.append(f"{describe(element)} has no size when focused: {box}")
    elif (
        box["x"] + box["width"] <= 0
        or box["y"] + box["height"] <= 0
        or box["x"] >= viewport["width"]
        or box["y"] >= viewport["height"]
    ):
        problems.append(f"{describe(element)} is focused outside the viewport: {box}")
    return problems


def assert_focus_visible(element: dict | None) -> None:
    problems = focus_problems(element)
    assert not problems, "; ".join(problems)


def tab_to(page, predicate, what: str, limit: int = 120, key: str = "Tab") -> dict:
    """Press Tab until the focused element matches `predicate`, checking that every
    element focused on the way shows its focus; return the match."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        assert_focus_visible(element)
        if element is not None and predicate(element):
            return element
    raise AssertionError(f"{limit} presses of {key} never reached {what}")


# The elements a Tab can reach, in document order. Each gets data-kb="<position>" so the
# focused element can be matched to its place. A group of radio buttons is one stop (its
# checked button, else its first).
TABBABLE_JS = """() => {
  const selector = 'a[href], area[href], button, input:not([type=hidden]), select, '
    + 'textarea, summary, iframe, [contenteditable=""], [contenteditable=true], [tabindex]';
  const stops = [];
  const radioGroups = new Map();
  for (const el of document.querySelectorAll('[data-kb]')) el.removeAttribute('data-kb');
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled) continue;
    const tabindex = el.getAttribute('tabindex');
    if (tabindex !== null && Number(tabindex) < 0) continue;
    if (el.closest('[hidden], [inert]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (!el.getClientRects().length) continue;
    if (el.type === 'radio' && el.name) {
      const form = el.form || document;
      const group = [...form.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
      if (radioGroups.has(el.name)) continue;
      radioGroups.set(el.name, true);
      const stop = group.find((r) => r.checked) || group[0];
      stop.setAttribute('data-kb', String(stops.length));
      stops.push(stop);
      continue;
    }
    el.setAttribute('data-kb', String(stops.length));
    stops.push(el);
  }
  return {
    positive: [...document.querySelectorAll('[tabindex]')]
      .filter((el) => Number(el.getAttribute('tabindex')) > 0)
      .map((el) => el.outerHTML.slice(0, 120)),
    stops: stops.map((el) => (el.tagName.toLowerCase() + ' '
      + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim()).slice(0, 60)),
  };
}"""


def check_tab_order(page, label: str) -> list[str]:
    """Tab from the top of the page through every stop. Returns the problems: focus not
    in document order (or skipping a stop, or landing on something hidden), positive
    tabindex, and any stop whose focus does not show."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    info = page.evaluate(TABBABLE_JS)
    stops = info["stops"]
    problems = [f"positive tabindex: {html}" for html in info["positive"]]
    if not stops:
        problems.append("nothing on the page can be reached with Tab")
    print(f"{label}: {len(stops)} Tab stops")
    # Start from the top: focus the body's first position.
    page.evaluate(
        """() => { document.body.setAttribute('tabindex', '-1'); document.body.focus();
                   document.body.removeAttribute('tabindex'); }"""
    )
    for position, expected in enumerate(stops):
        page.keyboard.press("Tab")
        element = focused(page)
        problems += [f"stop {position} ({expected!r}): {p}" for p in focus_problems(element)]
        actual = element and element["kb"]
        if actual != str(position):
            problems.append(
                f"Tab {position + 1} should focus {expected!r}, focused "
                f"{describe(element)} (stop {actual})"
            )
            break
    return [f"{label}: {problem}" for problem in problems]


# --- layout --------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const inner = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > inner + 0.5
      && !el.closest('.visually-hidden') && getComputedStyle(el).position !== 'fixed')
    .filter((el) => !(el.parentElement && el.parentElement.getBoundingClientRect().right
      > inner + 0.5))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
      + ' right=' + Math.round(el.getBoundingClientRect().right)
      + ' "' + (el.innerText || '').trim().slice(0, 40) + '"');
  return {scroll, inner, wide};
}"""

# Text cut off by its box: an element that hides its overflow (not one that scrolls it)
# with more content than room. Visually hidden text (clipped to 1px on purpose) is not.
CLIPPED_JS = """() => [...document.querySelectorAll('body *')]
  .filter((el) => {
    const style = getComputedStyle(el);
    const hides = (v) => v === 'hidden' || v === 'clip';
    if (!hides(style.overflowX) && !hides(style.overflowY)) return false;
    if (el.closest('.visually-hidden, .skip-link, [hidden]')) return false;
    if (el.clientWidth <= 1 || el.clientHeight <= 1) return false;
    if (!el.innerText || !el.innerText.trim()) return false;
    return (hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      || (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
  })
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
    + ' ' + el.scrollWidth + 'x' + el.scrollHeight + ' in ' + el.clientWidth + 'x'
    + el.clientHeight)"""


def horizontal_overflow(page) -> str | None:
    sizes = page.evaluate(OVERFLOW_JS)
    if sizes["scroll"] <= sizes["inner"]:
        return None
    return (
        f"horizontal scrolling: scrollWidth {sizes['scroll']} > innerWidth {sizes['inner']}; "
        f"too wide: {sizes['wide']}"
    )


def set_text_size(page, percent: int) -> None:
    """Set the browser's default font size, as a reader does in the settings (Chromium's
    "Font size"), to `percent` of the usual 16px."""
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Page.setFontSizes",
        {"fontSizes": {"standard": round(16 * percent / 100), "fixed": round(13 * percent / 100)}},
    )
    cdp.detach()


def make_staff() -> None:
    """The editor `redaktor` and the moderator `moderator`, with STAFF_PASSWORD. Their
    groups come from data migrations, and transactional tests empty the database, so the
    groups are made again the way the migrations do."""
    from django.apps import apps

    importlib.import_module("guide.migrations.0002_roles").create_roles(apps, None)
    importlib.import_module("comments.migrations.0003_comment_roles").grant(apps, None)
    make_staff_user("moderator", "Moderator")
    make_staff_user("redaktor", "Redaktør")


def admin_log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


# What test_public_pages.py and test_empty_site.py check on every page --------------


def assert_in_state(page, name: str) -> None:
    marker = MARKERS.get(name)
    if marker:
        assert marker in page.content(), f"{name}: the page is not in its state, lacks {marker!r}"


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
    """Everything test_public_pages.py checks on the page open in `page`, as a list of
    problems. Leaves the page at 320px wide and 100% text size."""
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
