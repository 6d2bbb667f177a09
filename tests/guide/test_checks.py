"""Accessibility and plain-language checks while editing (guide/checks.py)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from guide.checks import check_markdown, lix
from tests.factories import section_form_data

FORTY_WORDS = " ".join(["ord"] * 39) + " slutt."


def _section_data(section, body: str) -> dict:
    return section_form_data(section, "Sjekker teksten", body=body, base_revision=section.revision)


def test_lix_of_a_fixed_text_equals_the_hand_computed_value():
    text = "Dette er en enkel setning. Veilederen beskriver kommunikasjonsarbeid i forvaltningen."
    # By hand: 10 words, 2 sentences; long words (more than 6 letters): setning,
    # Veilederen, beskriver, kommunikasjonsarbeid, forvaltningen = 5.
    # LIX = 10 / 2 + 100 * 5 / 10 = 5 + 50 = 55.
    measured = lix([text])
    assert (measured.words, measured.sentences, measured.long_words) == (10, 2, 5)
    assert measured.value == 55.0
    assert measured.band == "hard"
    assert check_markdown(text).lix.value == 55.0


@pytest.mark.parametrize(
    ("value_text", "band"),
    [("Jeg går. Du går. Vi går.", "easy"), ("Det er en veldig fin dag i dag.", "easy")],
)
def test_short_plain_sentences_are_easy(value_text, band):
    assert check_markdown(value_text).lix.band == band


def test_image_without_alt_text_is_refused_naming_wcag_1_1_1():
    refusals = check_markdown("Se her:\n\n![](bilde.png)").refusals
    assert [r.code for r in refusals] == ["image-alt"]
    assert "WCAG 1.1.1" in str(refusals[0].message)
    assert check_markdown("![Et kart over Norge](bilde.png)").refusals == []


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        ("# For høyt", "heading-above"),
        ("## Samme nivå som delen", "heading-above"),
        ("#### Hopper over nivå 3", "heading-skip"),
        ("### Greit\n\n###### Hopper", "heading-skip"),
        ("[](https://example.no)", "link-empty"),
        ("[Mer om dette]()", "link-empty"),
    ],
)
def test_structure_problems_are_refused(markdown, code):
    assert code in [r.code for r in check_markdown(markdown).refusals]


def test_good_structure_passes():
    text = "### Om kanaler\n\nTekst.\n\n#### Facebook\n\nTekst.\n\n### Neste\n\nTekst."
    result = check_markdown(text)
    assert result.refusals == [] and result.warnings == []


def test_vague_link_text_and_long_sentences_are_warned_with_the_text():
    result = check_markdown(f"Les veilederen [klikk her](https://example.no).\n\n{FORTY_WORDS}")
    codes = [w.code for w in result.warnings]
    assert codes == ["link-text", "sentence-long"]
    assert "klikk her" in str(result.warnings[0].message)
    assert "40" in str(result.warnings[1].message)
    assert result.warnings[1].text == FORTY_WORDS
    assert result.refusals == []


def test_long_paragraph_is_warned():
    paragraph = ". ".join(["Dette er en kort setning"] * 31) + "."  # 155 words
    assert "paragraph-long" in [w.code for w in check_markdown(paragraph).warnings]


def test_admin_refuses_a_section_with_an_image_without_alt_text(guide, client, editor):
    section = guide["chapters"][0].sections.get(slug="del-1")
    client.force_login(editor)
    url = f"/admin/guide/section/{section.pk}/change/"
    response = client.post(url, _section_data(section, "Et bilde:\n\n![](bilde.png)"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert any("WCAG 1.1.1" in error for error in errors)
    assert "WCAG 1.1.1" in response.content.decode()
    section.refresh_from_db()
    assert "bilde.png" not in section.body


def test_admin_saves_with_warnings_and_shows_them(guide, client, editor):
    section = guide["chapters"][0].sections.get(slug="del-1")
    client.force_login(editor)
    url = f"/admin/guide/section/{section.pk}/change/"
    body = f"Se [klikk her](https://example.no).\n\n{FORTY_WORDS}"
    response = client.post(url, _section_data(section, body))
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body == body
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("klikk her" in m for m in shown)
    assert any("40" in m for m in shown)
    page = client.get(url).content.decode()
    assert "klikk her" in page and "LIX" in page


def test_publish_confirmation_summarises_the_checks_per_chapter(guide, client, editor):
    section = guide["chapters"][0].sections.get(slug="del-1")
    section.body = f"{FORTY_WORDS}\n\n[her](https://example.no)"
    section._change_reason = "test"
    section.save()
    client.force_login(editor)
    form = {"number": "1.0", "title": "Versjon 1.0"}
    response = client.post("/admin/guide/edition/publish/", form)
    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    summary = {c.title: c for c in response.context["text_checks"]}
    assert summary["Forord"].warnings == 2
    assert summary["Ta stilling"].warnings == 0
    assert summary["Forord"].lix is not None
    assert "LIX" in response.content.decode()


def test_the_checks_are_not_on_public_pages(guide, client):
    html = client.get("/veileder/forord/").content.decode()
    assert "LIX" not in html and "WCAG 1.1.1" not in html
