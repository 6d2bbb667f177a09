"""For other agencies (issue 14): a link to the frozen version on every chapter and
section page, the open data and API page, the bokmål note and the favicon; and heading
levels on pages that show a section on its own."""

from __future__ import annotations

import pytest

from guide.models import Section
from tests.factories import edit

SITE = "https://innspill.example.no"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]


@pytest.mark.parametrize(
    ("url", "frozen"),
    [
        ("/veileder/ta-stilling/", "/versjoner/0.9/ta-stilling/"),
        ("/eksempler/lanekassa/", "/versjoner/0.9/lanekassa/"),
        ("/veileder/ta-stilling/del-2/", "/versjoner/0.9/ta-stilling/#del-2"),
        ("/eksempler/lanekassa/del-1/", "/versjoner/0.9/lanekassa/#del-1"),
    ],
)
def test_chapter_and_section_pages_link_to_this_version(guide, client, url, frozen):
    html = client.get(url, HTTP_HOST="evil.example.com").content.decode()
    assert "Lenke til denne versjonen" in html and "Sitér:" in html
    assert f'href="{frozen}"' in html
    assert f"<code>{SITE}{frozen}</code>" in html
    assert "evil.example.com" not in html.split("<body>", 1)[1]


def test_api_root_leads_people_to_the_api_page(guide, client):
    response = client.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/apne-data/"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nb", "Åpne data og API"), ("nn", "Opne data og API"), ("en", "Open data and API")],
)
def test_the_api_page_in_each_language(guide, client, language, heading):
    client.cookies["django_language"] = language
    response = client.get("/apne-data/", HTTP_HOST="evil.example.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f"curl '{SITE}/api/v1/editions/?page_size=1'" in html
    links = ["/api/v1/", "/api/v1/editions/", "/api/v1/comments/"]
    links += ["/horing/rapport/kommentarer.csv", "/horing/rapport/kommentarer.json"]
    for link in links:
        assert f'href="{link}"' in html, link
    assert "evil.example.com" not in html.split("<body>", 1)[1]


def test_the_footer_links_to_the_api_page(guide, client):
    assert '<a href="/apne-data/">Åpne data og API</a>' in client.get("/").content.decode()


def test_the_json_index_links_to_the_api_page(guide, client):
    assert client.get("/api/v1/").json()["docs"] == f"{SITE}/apne-data/"


@pytest.mark.parametrize(("language", "note"), [("nn", "på bokmål"), ("en", "bokmål")])
def test_nynorsk_and_english_pages_say_the_guide_is_in_bokmal(guide, client, language, note):
    assert 'class="language-note"' not in client.get("/veileder/").content.decode()
    client.cookies["django_language"] = language
    html = client.get("/veileder/").content.decode()
    assert 'class="language-note"' in html and note in html


def test_every_page_has_a_favicon(guide, client):
    from django.contrib.staticfiles import finders

    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()
    assert finders.find("favicon.svg")


def _with_subheadings(guide):
    section = Section.objects.get(chapter__slug="ta-stilling", slug="del-1")
    edit(section, body="Innledning.\n\n### Underoverskrift\n\nTekst.\n\n#### Dypere\n\nMer.")
    from publishing.services import edition_publish

    edition_publish(number="1.0", title="Med underoverskrifter")


def test_a_sections_own_page_lifts_its_subheadings_one_level(guide, client):
    _with_subheadings(guide)
    html = client.get("/veileder/ta-stilling/del-1/").content.decode()
    assert "<h2>Underoverskrift</h2>" in html and "<h3>Dypere</h3>" in html
    assert "<h4>" not in html
    # In the chapter the section heading is an h2, so the body keeps h3.
    chapter = client.get("/veileder/ta-stilling/").content.decode()
    assert "<h3>Underoverskrift</h3>" in chapter
    # On the whole guide on one page, a section is an h3 under its chapter's h2.
    whole = client.get("/veileder/hele/").content.decode()
    assert "<h4>Underoverskrift</h4>" in whole and "<h5>Dypere</h5>" in whole
