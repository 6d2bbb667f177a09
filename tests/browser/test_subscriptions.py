"""Subscribing to changes in a real browser, without JavaScript, in bokmål, nynorsk and
English: every page of the journey has no axe-core violations, one h1 and no skipped
heading levels; and the PDF link on chapter pages works."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.helpers import STRUCTURE_JS, assert_no_axe_violations, heading_skips

ADDRESS = "lesar@example.no"


def _page(new_context, base_url: str, language: str, javascript: bool = True):
    from django.conf import settings

    context = new_context(java_script_enabled=javascript)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    )
    return context.new_page()


def _check(page, label: str, language: str) -> None:
    if not getattr(page, "_checks", True):  # JavaScript off: nothing can run in it
        return
    info = page.evaluate(STRUCTURE_JS)
    assert (info["lang"], info["h1"], info["main"]) == (language, 1, 1), label
    assert heading_skips(info["headings"]) == [], label
    assert_no_axe_violations(page, label)


def _submit(page, selector: str) -> int:
    with page.expect_navigation(wait_until="load") as navigation:
        page.locator(selector).click()
    return navigation.value.status


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_subscribe_confirm_and_unsubscribe_without_javascript(new_context, open_guide, language):
    page = _page(new_context, open_guide, language)
    mail.outbox.clear()

    # The chapter page offers it, with the chapter chosen.
    page.goto(open_guide + "/veileder/ta-stilling/")
    page.locator(".subscribe-link a").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_what").input_value() != "alle"
    _check(page, f"{language} subscribe", language)

    # A wrong address: the error summary, and the page still passes.
    page.fill("#id_email", "ikke en adresse")
    assert _submit(page, ".subscribe-form button[type=submit]") == 400
    assert page.locator("#error-summary").count() == 1
    _check(page, f"{language} subscribe error", language)

    page.fill("#id_email", ADDRESS)
    assert _submit(page, ".subscribe-form button[type=submit]") == 200
    assert page.url.endswith("/abonner/sendt/#main")
    _check(page, f"{language} sent", language)

    assert len(mail.outbox) == 1
    confirm = re.search(r"http\S+/abonner/bekreft/\S+/", mail.outbox[0].body).group(0)
    path = confirm.split("/abonner/", 1)[1]
    page.goto(f"{open_guide}/abonner/{path}")
    _check(page, f"{language} confirm", language)
    assert _submit(page, "main form button[type=submit]") == 200
    _check(page, f"{language} confirmed", language)

    leave = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    page.goto(open_guide + "/abonner/" + leave.split("/abonner/", 1)[1])
    _check(page, f"{language} unsubscribe", language)
    assert _submit(page, "main form button[type=submit]") == 200
    _check(page, f"{language} unsubscribed", language)
    assert ADDRESS not in page.content()

    page.goto(f"{open_guide}/abonner/{path}")  # the address is gone: the link is dead
    _check(page, f"{language} dead link", language)


def test_the_chapter_page_links_to_the_edition_pdf(new_context, open_guide):
    page = _page(new_context, open_guide, "nb")
    page.goto(open_guide + "/veileder/ta-stilling/")
    link = page.locator(".pdf-link a")
    assert "(PDF, " in page.locator(".pdf-link").inner_text()
    response = page.request.get(open_guide + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
