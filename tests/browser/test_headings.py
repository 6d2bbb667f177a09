"""Heading levels of every section page of the real guide (issue 14): the section
heading is the h1, so the body's ### sub-headings must come out as h2 there."""

from __future__ import annotations

from tests.browser.helpers import describe_violations, visit

HEADING_ORDER = {"runOnly": {"type": "rule", "values": ["heading-order"]}}


def test_heading_order_passes_on_every_section_page(page, open_guide):
    from axe_playwright_python.sync_playwright import Axe

    from guide.models import Edition, EditionSection

    axe = Axe()
    sections = list(
        EditionSection.objects.filter(edition=Edition.objects.current()).select_related(
            "edition_chapter"
        )
    )
    assert len(sections) > 10, "the real guide should be loaded"
    failures = []
    for section in sections:
        path = section.current_url()
        visit(page, open_guide, path)
        violations = axe.run(page, options=HEADING_ORDER).response["violations"]
        if violations:
            failures.append(describe_violations(path, violations))
    assert not failures, "\n".join(failures)


def test_a_sub_heading_of_a_section_is_an_h2_on_its_own_page(page, open_guide):
    visit(page, open_guide, "/veileder/ta-i-bruk/arkivering/")
    assert page.locator("main .prose h3").count() == 0
    assert page.locator("main .prose h2").count() >= 1
