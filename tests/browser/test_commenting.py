"""Public commenting in a real browser: without JavaScript, by selecting a passage on the
chapter page, by keyboard alone, and axe-core on every page a commenter sees."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import (
    ACTIVE_JS,
    AXE_OPTIONS,
    describe,
    describe_violations,
    has_focus_indicator,
    navigate,
    visit,
)

CHAPTER = "/veileder/ta-stilling/"
SECTION = "/veileder/ta-stilling/formal/"
SECTION_ID = "formal"
RECEIPT_PATH = re.compile(r"/kommentarer/kvittering/[^/]+/$")
RECEIPT_HEADINGS = {
    "Takk, vi har mottatt kommentaren din",
    "Thank you, we have received your comment",
}
BODY = "Formålet bør komme før valget av kanal, også i små kommuner."

_axe = Axe()


# --- helpers -------------------------------------------------------------------------


def assert_no_axe_violations(page, label: str) -> None:
    violations = _axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe_violations(label, violations)


def submit(page, form: str = ".comment-form", *, status: int | None = None):
    """Press the form's submit button and wait for the page it leads to."""
    button = f"{form} button[type=submit]"
    return navigate(page, lambda: page.click(button), status=status, what=f"submitting {form}")


def assert_receipt(page) -> None:
    path = page.evaluate("() => location.pathname")
    assert RECEIPT_PATH.search(path), f"expected the receipt page after sending, got {path}"
    heading = page.inner_text(".confirmation h1").strip()
    assert heading in RECEIPT_HEADINGS, f"unexpected receipt heading {heading!r}"


def only_comment():
    from comments.models import Comment

    comments = list(Comment.objects.select_related("section__chapter", "edition_section"))
    assert len(comments) == 1, f"expected exactly one stored comment, found {len(comments)}"
    return comments[0]


def passage(text: str, first: int = 2, words: int = 5) -> str:
    """`words` words of `text` starting at word `first` (so it has text on both sides)."""
    parts = text.split()
    assert len(parts) >= first + words + 1, f"paragraph too short to quote from: {text!r}"
    return " ".join(parts[first : first + words])


def current_section(chapter: str = "ta-stilling", slug: str = SECTION_ID):
    from guide.models import Edition, EditionSection

    return EditionSection.objects.get(
        edition=Edition.objects.current(), edition_chapter__slug=chapter, slug=slug
    )


def stored_comment(*, quote: str = "", published: bool = True, name: str = "Kari Nordmann"):
    """A comment made through the service, as the form would, and published."""
    from comments.services import comment_publish, comment_submit

    comment = comment_submit(
        edition_section=current_section(),
        name=name,
        organisation="Eksempel kommune",
        body=BODY,
        quote=quote,
    )
    if published:
        comment_publish(comment=comment)
    return comment


def focused(page) -> dict | None:
    return page.evaluate(ACTIVE_JS)


def tab_to(page, predicate, what: str, limit: int = 120) -> dict:
    """Press Tab until the focused element matches `predicate`; return it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is not None and predicate(element):
            return element
    raise AssertionError(f"{limit} presses of Tab never reached {what}")


def assert_focus_visible(element: dict) -> None:
    assert has_focus_indicator(element), (
        f"{describe(element)} has no visible focus indicator (outline "
        f"{element['outlineStyle']} {element['outlineWidth']}px, box-shadow {element['boxShadow']})"
    )


# --- 1. without JavaScript -----------------------------------------------------------


def test_comment_without_javascript(new_context, open_guide):
    from comments.models import Status

    page = new_context(java_script_enabled=False).new_page()
    visit(page, open_guide, SECTION)
    assert page.locator(".comment-form").count() == 1, "the section page has no comment form"

    quote = passage(page.inner_text(".prose[data-quote-source] p >> nth=0"))
    page.fill("#id_quote", quote)
    page.fill("#id_body", BODY)
    page.fill("#id_name", "Ola Nordmann")
    submit(page, status=200)

    assert_receipt(page)
    comment = only_comment()
    assert comment.quote == quote
    assert comment.status == Status.PENDING
    assert comment.name == "Ola Nordmann"
    assert comment.body == BODY
    assert comment.section.slug == SECTION_ID


# --- 2. selecting a passage on the chapter page --------------------------------------

# Select words `first` to `first + words - 1` of the first long enough paragraph of the
# section (of the page where section is null); with `cut`, from the middle of the first
# word to the middle of the last: a hasty selection that cuts words.
SELECT_JS = """({section, first, words, cut}) => {
  const scope = section ? `section#${section} ` : '';
  const paragraph = document.querySelector(`${scope}.prose[data-quote-source] p`);
  if (cut) paragraph.scrollIntoView({block: 'center'});
  const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && node.textContent.trim().split(/\\s+/).length < first + words + 1) {
    node = walker.nextNode();
  }
  if (!node) return null;
  const text = node.textContent;
  const re = /\\S+/g;
  const found = [];
  let match;
  while ((match = re.exec(text))) found.push([match.index, match.index + match[0].length]);
  const [startWordStart, startWordEnd] = found[first];
  const [endWordStart, endWordEnd] = found[first + words - 1];
  const range = document.createRange();
  range.setStart(node, cut ? Math.min(startWordStart + 2, startWordEnd - 1) : startWordStart);
  range.setEnd(node, cut ? Math.max(endWordEnd - 2, endWordStart + 1) : endWordEnd);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const rect = range.getBoundingClientRect();
  return {
    selected: selection.toString(),
    whole: text.slice(startWordStart, endWordEnd),
    rect: {top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right},
  };
}"""


def select_words(page, section: str | None = SECTION_ID, *, cut: bool = False) -> dict | None:
    """Select the third to the sixth word of a paragraph with SELECT_JS: what was selected,
    the whole words it touches and where it is on screen (None: no paragraph long enough)."""
    return page.evaluate(SELECT_JS, {"section": section, "first": 2, "words": 4, "cut": cut})


QUOTE_BUTTON_SHOWN_JS = "() => document.querySelector('[data-quote-button]').hidden === false"


def test_comment_on_a_selected_passage(page, open_guide):
    from comments.models import AnchorState, Status

    visit(page, open_guide, CHAPTER)
    section = f"section#{SECTION_ID}"
    found = select_words(page)
    assert found, "could not find a text node to select in the first paragraph"
    quote = " ".join(found["selected"].split())

    # Wait for the script to un-hide the button (is_visible alone is not enough while
    # the CSS shows it even with `hidden`: see test_quote_button_only_shows_for_a_selection).
    page.wait_for_function(QUOTE_BUTTON_SHOWN_JS, timeout=3000)
    button = page.locator("[data-quote-button]")
    button.wait_for(state="visible", timeout=3000)
    button.click()

    inline = page.locator("#inline-comment")
    assert inline.is_visible(), "the inline comment form did not open"
    assert page.locator(f"{section} #inline-comment").count() == 1, (
        "the inline comment form was not moved under the section the passage is in"
    )
    assert page.input_value("#inline-comment [name=quote]") == quote
    active = page.evaluate("() => document.activeElement && document.activeElement.name")
    assert active == "body", f"focus should be on the comment field, is on {active!r}"
    prefix = page.input_value("#inline-comment [name=quote_prefix]")
    suffix = page.input_value("#inline-comment [name=quote_suffix]")
    assert prefix.strip() and suffix.strip(), f"context not filled: {prefix!r} / {suffix!r}"

    page.keyboard.type(BODY)
    page.fill("#inline-comment [name=name]", "Kari Nordmann")
    submit(page, "#inline-comment .comment-form", status=200)

    assert_receipt(page)
    comment = only_comment()
    assert comment.status == Status.PENDING
    assert comment.quote == quote
    assert comment.body == BODY
    assert comment.quote_prefix.strip() and comment.quote_suffix.strip(), (
        f"quote context not stored: {comment.quote_prefix!r} / {comment.quote_suffix!r}"
    )
    assert comment.anchor_state == AnchorState.EXACT
    assert comment.section.slug == SECTION_ID
    assert comment.section.chapter.slug == "ta-stilling"
    assert comment.edition_section.slug == SECTION_ID


def test_comment_on_a_selected_passage_on_the_section_page(page, open_guide):
    visit(page, open_guide, SECTION)
    found = select_words(page, section=None)
    assert found
    page.wait_for_function(QUOTE_BUTTON_SHOWN_JS, timeout=3000)
    page.locator("[data-quote-button]").click()
    assert page.input_value("#id_quote") == " ".join(found["selected"].split())
    assert page.input_value("[name=quote_prefix]").strip()
    assert page.input_value("[name=quote_suffix]").strip()
    active = page.evaluate("() => document.activeElement.id")
    assert active == "id_body", f"focus should be on the comment field, is on {active!r}"


VISIBLE_JS = """() => {
  const button = document.querySelector('[data-quote-button]');
  return !!button && button.getClientRects().length > 0
    && getComputedStyle(button).visibility !== 'hidden';
}"""


def test_quote_button_only_shows_for_a_selection(new_context, page, open_guide):
    """The "Comment on the selection" button carries `hidden` until text is selected, and
    is hidden again once used; without JavaScript it can do nothing, so it never shows."""
    problems = []

    no_js = new_context(java_script_enabled=False).new_page()
    visit(no_js, open_guide, SECTION)
    if no_js.evaluate(VISIBLE_JS):
        problems.append("without JavaScript the section page shows the quote button")

    visit(page, open_guide, CHAPTER)
    if page.evaluate("() => document.querySelector('[data-quote-button]').hidden") is not True:
        problems.append("the quote button lacks the hidden attribute on load")
    if page.evaluate(VISIBLE_JS):
        problems.append("the chapter page shows the quote button before anything is selected")

    select_words(page)
    page.wait_for_function(QUOTE_BUTTON_SHOWN_JS, timeout=3000)
    if not page.evaluate(VISIBLE_JS):
        problems.append("the quote button is not shown after a passage is selected")
    page.locator("[data-quote-button]").click()
    if page.evaluate("() => document.querySelector('[data-quote-button]').hidden") is not True:
        problems.append("the quote button does not get the hidden attribute once used")
    if page.evaluate(VISIBLE_JS):
        problems.append("the quote button is still shown after it has been used")

    display = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-quote-button]')).display"
    )
    assert not problems, "; ".join(problems) + f" (computed display with [hidden]: {display})"


def test_inline_form_opens_under_each_section_and_closes(page, open_guide):
    visit(page, open_guide, CHAPTER)
    links = page.locator("[data-inline-comment]")
    assert links.count() > 1
    second = page.locator("section.guide-section").nth(1)
    second_id = second.get_attribute("id")
    second.locator("[data-inline-comment]").click()
    assert page.locator(f"section#{second_id} #inline-comment").is_visible()
    # The form is fetched first, then the heading focused: wait for it rather than race.
    page.wait_for_function(
        "() => document.activeElement.matches('.inline-comment__heading')", timeout=3000
    )
    active = page.evaluate("() => document.activeElement.className")
    assert "inline-comment__heading" in active, f"focus should be on the form heading: {active}"
    action = page.evaluate("() => document.querySelector('#inline-comment form').action")
    assert action.endswith(f"/veileder/ta-stilling/{second_id}/#error-summary"), action

    page.click("#inline-comment [data-inline-close]")
    assert not page.locator("#inline-comment").is_visible()
    opener = page.evaluate("() => document.activeElement.getAttribute('data-inline-comment')")
    assert opener and opener.endswith(f"/{second_id}/"), (
        f"closing should return focus to the link that opened the form, focus on {opener!r}"
    )


# --- 3. keyboard alone ---------------------------------------------------------------


def _in_form(element: dict) -> bool:
    return element["id"].startswith("id_") or element["tag"] == "button"


def test_comment_by_keyboard_alone(page, open_guide):
    visit(page, open_guide, SECTION)

    values = {
        "id_body": BODY,
        "id_name": "Per Hansen",
        "id_organisation": "Eksempel kommune",
    }
    seen = []
    element = tab_to(page, lambda e: e["id"] == "id_quote", "the first field of the form")
    while True:
        assert_focus_visible(element)
        seen.append(element["id"] or element["tag"])
        if element["id"] in values:
            page.keyboard.type(values[element["id"]])
        if element["tag"] == "button":
            assert element["text"] in {"Send kommentar", "Send comment"}, describe(element)
            break
        element = tab_to(page, _in_form, "the next field of the form", limit=5)

    assert seen[:5] == ["id_quote", "id_body", "id_name", "id_organisation", "id_email"], seen
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    assert_receipt(page)
    comment = only_comment()
    assert comment.name == "Per Hansen"
    assert comment.organisation == "Eksempel kommune"
    assert comment.body == BODY
    assert comment.quote == ""


def test_empty_form_by_keyboard_focuses_the_error_summary(page, open_guide):
    from comments.models import Comment

    visit(page, open_guide, SECTION)
    tab_to(
        page,
        lambda e: e["tag"] == "button" and e["text"] in {"Send kommentar", "Send comment"},
        "the submit button",
    )
    with page.expect_navigation(wait_until="load") as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 400
    assert not Comment.objects.exists()

    page.wait_for_function("() => document.activeElement && document.activeElement.id")
    active = page.evaluate("() => document.activeElement.id")
    assert active == "error-summary", f"focus should be on the error summary, is on {active!r}"
    assert page.title().startswith(("Feil:", "Error:")), page.title()
    for field in ("id_body", "id_name"):
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true", field
        described = (page.get_attribute(f"#{field}", "aria-describedby") or "").split()
        assert f"{field}_error" in described, f"{field} aria-describedby={described}"
        assert page.locator(f"#{field}_error").count() == 1

    links = page.locator("#error-summary a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert sorted(targets) == ["#id_body", "#id_name"], targets
    for index, target in enumerate(targets):
        page.focus("#error-summary")
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        link = focused(page)
        assert link["href"] == target, describe(link)
        assert_focus_visible(link)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(id) => document.activeElement && document.activeElement.id === id", arg=target[1:]
        )
        assert_focus_visible(focused(page))


def test_error_summary_lists_errors_in_the_order_of_the_fields(page, open_guide):
    visit(page, open_guide, SECTION)
    page.fill("#id_quote", "Ikke i teksten i det hele tatt")
    page.fill("#id_body", "kort")
    page.fill("#id_email", "ikke-en-adresse")
    submit(page, status=400)
    summary = page.evaluate(
        "() => [...document.querySelectorAll('#error-summary a')].map((a) => a.hash)"
    )
    on_page = page.evaluate(
        """() => [...document.querySelectorAll('.comment-form [aria-invalid=true]')]
          .map((el) => '#' + el.id)"""
    )
    assert sorted(summary) == sorted(on_page), f"summary {summary}, invalid fields {on_page}"
    assert summary == on_page, (
        f"the error summary lists {summary}, but the fields come in the order {on_page}"
    )


# --- 4. axe-core on the commenting pages ---------------------------------------------


def _chapter_with_inline_form(page, base):
    visit(page, base, CHAPTER)
    page.locator(f"section#{SECTION_ID} [data-inline-comment]").click()
    page.locator("#inline-comment").wait_for(state="visible")


def _section(page, base):
    visit(page, base, SECTION)
    assert page.locator(".comment-form").count() == 1


def _section_with_errors(page, base):
    visit(page, base, SECTION)
    page.fill("#id_name", "")
    page.fill("#id_body", "For kort")
    submit(page, status=400)
    assert page.locator("#error-summary").count() == 1
    assert page.locator("[aria-invalid=true]").count() >= 2


def _receipt(page, base):
    from comments.receipts import receipt_url

    comment = stored_comment(quote="Start med formålet", published=False)
    visit(page, base, receipt_url(comment))
    assert_receipt(page)


def _list_empty(page, base):
    visit(page, base, "/kommentarer/")
    assert page.locator(".empty-state").count() == 1


def _list_with_comment(page, base):
    comment = stored_comment()
    visit(page, base, "/kommentarer/")
    assert page.locator(f"#kommentar-{comment.pk}").count() == 1


def _permalink(page, base):
    comment = stored_comment()
    visit(page, base, f"/kommentarer/{comment.pk}/")
    assert page.locator("#svar .comment-form").count() == 1


def _report_confirm(page, base):
    comment = stored_comment()
    visit(page, base, f"/kommentarer/{comment.pk}/rapporter/")


def _report_done(page, base):
    comment = stored_comment()
    visit(page, base, f"/kommentarer/{comment.pk}/rapporter/")
    page.check("main form input[name=reason][value=spam]")
    with page.expect_navigation(wait_until="load"):
        page.click("main form button[type=submit]")
    assert page.locator(".confirmation").count() == 1


def _section_with_highlighted_quote(page, base):
    stored_comment(quote="Start med formålet, ikke med kanalen.")
    visit(page, base, SECTION)
    marks = page.locator(".prose mark.quote")
    assert marks.count() >= 1, "the quoted passage is not highlighted"
    assert "Start med formålet" in marks.first.inner_text()


AXE_SCENARIOS = [
    ("chapter-inline-form", _chapter_with_inline_form),
    ("section", _section),
    ("section-errors", _section_with_errors),
    ("receipt", _receipt),
    ("list-empty", _list_empty),
    ("list-with-comment", _list_with_comment),
    ("permalink-reply-form", _permalink),
    ("report-confirm", _report_confirm),
    ("report-done", _report_done),
    ("section-highlighted-quote", _section_with_highlighted_quote),
]


@pytest.mark.parametrize("prepare", [pytest.param(f, id=name) for name, f in AXE_SCENARIOS])
def test_axe_on_commenting_pages(page, open_guide, prepare):
    prepare(page, open_guide)
    assert_no_axe_violations(page, page.evaluate("() => location.pathname"))


# --- issue 14: the quote button beside the selection, whole words, error summary -------

BUTTON_BOX_JS = """() => {
  const box = document.querySelector('[data-quote-button]').getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          width: window.innerWidth, height: window.innerHeight};
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_quote_button_is_beside_the_selection_and_quotes_whole_words(
    new_context, open_guide, width
):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    visit(page, open_guide, CHAPTER)
    found = select_words(page, cut=True)
    assert found, "could not find a text node to select in the first paragraph"
    assert found["selected"] != found["whole"], "the selection should cut words to test this"
    page.wait_for_function(QUOTE_BUTTON_SHOWN_JS, timeout=3000)

    box = page.evaluate(BUTTON_BOX_JS)
    assert 0 <= box["top"] and box["bottom"] <= box["height"], (
        f"the quote button is outside the window vertically: {box}"
    )
    assert 0 <= box["left"] and box["right"] <= box["width"], (
        f"the quote button is outside the window horizontally: {box}"
    )
    selection = found["rect"]
    distance = min(abs(box["top"] - selection["bottom"]), abs(selection["top"] - box["bottom"]))
    assert distance <= 60, f"the quote button is {distance:.0f}px from the selection: {box}"

    page.locator("[data-quote-button]").click()
    quote = page.input_value("#inline-comment [name=quote]")
    assert quote == " ".join(found["whole"].split()), (
        f"the quote should hold whole words: {quote!r}, selected {found['selected']!r}"
    )


def test_without_javascript_a_failed_comment_lands_at_its_error_summary(new_context, open_guide):
    page = new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = page.new_page()
    visit(page, open_guide, SECTION)
    page.fill("#id_body", "Kort")
    submit(page, status=400)
    assert page.evaluate("() => location.hash") == "#error-summary"
    box = page.evaluate(
        """() => {
          const box = document.getElementById('error-summary').getBoundingClientRect();
          return {top: box.top, bottom: box.bottom, height: window.innerHeight};
        }"""
    )
    assert 0 <= box["top"] < box["height"], f"the error summary is not in view: {box}"


def test_the_section_page_tells_the_sender_their_comment_waits(page, open_guide):
    visit(page, open_guide, SECTION)
    page.fill("#id_body", BODY)
    page.fill("#id_name", "Ola Nordmann")
    submit(page, status=200)
    assert_receipt(page)
    with page.expect_navigation(wait_until="load"):
        page.click(f"main a[href^='{SECTION}?sendt=']")
    assert page.locator(".pending-note").count() == 1
    assert_no_axe_violations(page, "section page after sending")
