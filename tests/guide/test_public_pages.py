from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.services import edition_publish
from tests.factories import edit, make_chapter, make_section
from tests.guide.pages import PUBLIC_PAGES


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_renders(guide, client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<html lang="nb">' in html
    assert 'href="#main"' in html and 'id="main"' in html


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_anonymous_page_view_writes_nothing(guide, client, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]
    assert writes == []
    assert "sessionid" not in client.cookies


def test_chapter_page_has_an_element_per_section(guide, client):
    html = client.get("/veileder/ta-stilling/").content.decode()
    for slug in ["del-1", "del-2", "del-3"]:
        assert f'<section id="{slug}"' in html
        assert f'href="/veileder/ta-stilling/{slug}/#kommentarer"' in html
    assert 'rel="prev"' in html and 'href="/veileder/forord/"' in html


def test_guide_pages_show_the_version_and_link_to_all_versions(guide, client):
    html = client.get("/veileder/forord/").content.decode()
    assert "0.9" in html
    assert 'href="/versjoner/"' in html


def test_old_edition_has_a_banner_linking_to_the_current_one(guide, client):
    edition_publish(number="1.0", title="Versjon 1.0")
    old = client.get("/versjoner/0.9/forord/").content.decode()
    assert "banner--old" in old and "1.0" in old
    assert "banner--old" not in client.get("/versjoner/1.0/forord/").content.decode()
    assert "banner--old" not in client.get("/veileder/forord/").content.decode()


def test_front_page_shows_the_open_consultation_and_contents(guide, client):
    edition = guide["edition"]
    from datetime import timedelta

    from django.utils import timezone

    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=60)
    edition.save()
    html = client.get("/").content.decode()
    assert "round--open" in html and "Slik deltar du" in html
    assert 'href="/veileder/forord/"' in html and 'href="/eksempler/lanekassa/"' in html


def test_front_page_without_any_edition_says_so(db, client):
    response = client.get("/")
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()
    assert client.get("/veileder/").status_code == 404


def test_renamed_chapter_redirects_permanently_from_its_old_address(guide, client):
    edit(guide["chapters"][1], slug="vurder-sosiale-medier")
    edition_publish(number="1.0", title="Versjon 1.0")

    response = client.get("/veileder/ta-stilling/")
    assert response.status_code == 301
    assert response["Location"] == "/veileder/vurder-sosiale-medier/"
    section = client.get("/veileder/ta-stilling/del-2/")
    assert section.status_code == 301
    assert section["Location"] == "/veileder/vurder-sosiale-medier/del-2/"
    # The frozen edition keeps its own addresses.
    assert client.get("/versjoner/0.9/ta-stilling/").status_code == 200


def test_renamed_and_moved_sections_redirect(guide, client):
    forord, stilling = guide["chapters"]
    edit(forord.sections.get(slug="del-1"), slug="innledning")
    edit(stilling.sections.get(slug="del-3"), chapter=forord, order=5)
    edition_publish(number="1.0", title="Versjon 1.0")

    renamed = client.get("/veileder/forord/del-1/")
    assert (renamed.status_code, renamed["Location"]) == (301, "/veileder/forord/innledning/")
    moved = client.get("/veileder/ta-stilling/del-3/")
    assert (moved.status_code, moved["Location"]) == (301, "/veileder/forord/del-3/")


def test_removed_chapter_answers_gone_with_a_link_to_the_last_edition_that_had_it(guide, client):
    edit(guide["chapters"][1], is_active=False)
    edition_publish(number="1.0", title="Versjon 1.0")
    edition_publish(number="1.1", title="Versjon 1.1")

    response = client.get("/veileder/ta-stilling/")
    assert response.status_code == 410
    assert 'href="/versjoner/0.9/ta-stilling/"' in response.content.decode()
    assert client.get("/veileder/ta-stilling/del-1/").status_code == 410


def test_removed_section_answers_gone(guide, client):
    edit(guide["chapters"][0].sections.get(slug="del-2"), is_active=False)
    edition_publish(number="1.0", title="Versjon 1.0")
    response = client.get("/veileder/forord/del-2/")
    assert response.status_code == 410
    assert 'href="/versjoner/0.9/forord/#del-2"' in response.content.decode()


def test_case_study_under_the_guide_address_redirects_to_its_own(guide, client):
    response = client.get("/veileder/lanekassa/")
    assert (response.status_code, response["Location"]) == (301, "/eksempler/lanekassa/")


def test_unknown_addresses_get_the_sites_own_404_page(guide, client):
    for url in [
        "/veileder/finnes-ikke/",
        "/veileder/forord/finnes-ikke/",
        "/versjoner/7.0/",
        "/versjoner/0.9/finnes-ikke/",
        "/finnes-ikke/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'class="site-header"' in response.content.decode()


def test_a_draft_chapter_never_published_is_not_public(guide, client):
    make_chapter(slug="hemmelig", title="Hemmelig utkast")
    assert client.get("/veileder/hemmelig/").status_code == 404
    assert "Hemmelig utkast" not in client.get("/veileder/").content.decode()


def _chapter_with_sections(count: int) -> None:
    chapter = make_chapter(slug="stort", title="Stort kapittel", sections=0)
    for i in range(count):
        make_section(chapter, slug=f"s-{i}", heading=f"S {i}", order=i)
    edition_publish(number="0.9", title="Test")


@pytest.mark.parametrize("sections", [2, 40])
def test_chapter_page_query_count_does_not_grow_with_sections(
    db, client, sections, django_assert_num_queries
):
    _chapter_with_sections(sections)
    # 1 content versions (the page cache's key), 2 current edition, 3 the edition's
    # chapters, 4 the chapter's sections with their published comments counted, 5 the
    # edition's stored PDF (its size).
    with django_assert_num_queries(5):
        assert client.get("/veileder/stort/").status_code == 200


@pytest.mark.parametrize("sections", [2, 40])
def test_section_and_list_page_query_counts(db, client, sections, django_assert_num_queries):
    _chapter_with_sections(sections)
    # 1 content versions, 2 current edition, 3 chapters, 4 the section, 5 count its
    # comments, 6 quote highlights.
    with django_assert_num_queries(6):
        assert client.get("/veileder/stort/s-1/").status_code == 200
    # 1 current edition, 2 chapters.
    with django_assert_num_queries(2):
        assert client.get("/veileder/").status_code == 200
    # 1 content versions (the page cache's key), 2 the chosen edition, 3 the current
    # edition, 4 chapters, 5 sections with their comment counts, 6 the edition's stored
    # PDF.
    with django_assert_num_queries(6):
        assert client.get("/versjoner/0.9/stort/").status_code == 200
    # 1 all editions.
    with django_assert_num_queries(1):
        assert client.get("/versjoner/").status_code == 200


def test_language_switch_keeps_the_url_and_remembers_the_choice(guide, client):
    response = client.get("/sprak/", {"lang": "nn", "next": "/veileder/forord/"})
    assert (response.status_code, response["Location"]) == (302, "/veileder/forord/")
    assert client.cookies["django_language"].value == "nn"
    assert '<html lang="nn">' in client.get("/veileder/forord/").content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(guide, client):
    response = client.get("/sprak/", {"lang": "xx", "next": "https://example.com/"})
    assert response["Location"] == "/"
    assert "django_language" not in client.cookies


def test_healthz_reports_database_and_cache(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_any_host_over_plain_http(db, client, settings):
    settings.ALLOWED_HOSTS = ["innspill.example.no"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_healthz_reports_a_broken_cache_as_degraded_but_keeps_serving(db, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"].startswith("error")


def test_healthz_answers_503_without_the_database(db, client, monkeypatch):
    import config.health

    monkeypatch.setattr(
        config.health,
        "health_report",
        lambda: {"database": "error: OperationalError", "cache": "ok"},
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_whole_guide_on_one_page(guide, client, django_assert_num_queries):
    # 1 current edition, 2 chapters, 3 every section.
    with django_assert_num_queries(3):
        response = client.get("/veileder/hele/")
    html = response.content.decode()
    assert response.status_code == 200
    for slug in ["forord", "ta-stilling", "lanekassa"]:
        assert f'id="{slug}"' in html
    assert html.count('class="guide-section"') == 7


def test_reserved_addresses_cannot_be_taken_by_chapters_or_sections(guide):
    from django.core.exceptions import ValidationError

    chapter = guide["chapters"][0]
    chapter.slug = "hele"
    with pytest.raises(ValidationError):
        chapter.full_clean()
    section = chapter.sections.first()
    section.slug = "endringer"
    with pytest.raises(ValidationError):
        section.full_clean()


def test_sitemap_and_robots(guide, client):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/veileder/forord/" in sitemap and "/veileder/forord/del-1/" in sitemap
    assert "/versjoner/0.9/" in sitemap and "/eksempler/lanekassa/" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots.content.decode()
    assert "Disallow: /admin/" in robots.content.decode()


def test_canonical_and_open_graph(guide, client):
    html = client.get("/veileder/forord/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/veileder/forord/">' in html
    assert '<meta property="og:title" content="Forord">' in html
    current_frozen = client.get("/versjoner/0.9/forord/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/veileder/forord/">' in current_frozen
