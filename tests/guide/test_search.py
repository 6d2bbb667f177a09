from __future__ import annotations

import pytest
from django.db import connection

from comments.models import Status
from publishing.services import edition_publish
from tests.factories import edit, make_comment, section_of


@pytest.fixture
def searchable(guide):
    chapter = guide["chapters"][1]
    edit(
        chapter.sections.get(slug="del-2"),
        body="Arkivloven gjelder også meldinger i sosiale medier. Journalføring er viktig.",
    )
    edition_publish(number="1.0", title="Versjon 1.0")
    edition = guide["edition"].__class__.objects.current()
    make_comment(
        edition,
        edition_section=section_of(edition, slug="del-1"),
        body="Hva med personvernet til innbyggerne som skriver?",
    )
    withheld = make_comment(edition, body="Hemmeligordet står i en tilbakeholdt kommentar.")
    withheld.status, withheld.withheld_reason = Status.WITHHELD, "spam"
    withheld.save()
    make_comment(edition, published=False, body="Ventordet står i en ventende kommentar.")
    edit(chapter.sections.get(slug="del-3"), body="Utkastordet finnes bare i utkastet.")
    return guide


def test_search_finds_a_word_in_a_section(searchable, client):
    response = client.get("/sok/", {"q": "journalføring"})
    assert response.status_code == 200
    hits = list(response.context["page"])
    assert any(h.kind == "section" and h.url == "/veileder/ta-stilling/del-2/" for h in hits)
    assert "<mark>" in response.content.decode()


def test_search_finds_inflected_forms(searchable, client):
    hits = list(client.get("/sok/", {"q": "meldingene"}).context["page"])
    assert any(h.kind == "section" for h in hits)


def test_search_finds_a_word_in_a_published_comment(searchable, client):
    hits = list(client.get("/sok/", {"q": "personvernet"}).context["page"])
    assert [h.kind for h in hits] == ["comment"]
    assert hits[0].url.startswith("/kommentarer/")


@pytest.mark.parametrize("word", ["Hemmeligordet", "Ventordet", "Utkastordet"])
def test_search_never_finds_the_draft_or_unpublished_comments(searchable, client, word):
    response = client.get("/sok/", {"q": word})
    assert response.context["page"].paginator.count == 0
    assert "empty-state" in response.content.decode()


def test_search_escapes_the_query_and_snippets(searchable, client):
    response = client.get("/sok/", {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


def test_search_states(guide, client):
    assert client.get("/sok/").context["page"] is None
    assert client.get("/sok/", {"q": "x" * 201}).status_code == 400


def test_search_paginates(guide, client):
    edition = guide["edition"]
    from datetime import timedelta

    from django.utils import timezone

    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()
    for n in range(25):
        make_comment(edition, body=f"Søkbar kommentar nummer {n}.")
    first = client.get("/sok/", {"q": "søkbar"})
    assert first.context["page"].paginator.count == 25
    assert len(first.context["page"]) == 10
    third = client.get("/sok/", {"q": "søkbar", "side": 3})
    assert len(third.context["page"]) == 5
    assert "q=s%C3%B8kbar&amp;side=2" in third.content.decode()


def test_guide_words_match_whole_or_as_the_start_of_a_compound_never_inside_a_word(guide, client):
    chapter = guide["chapters"][1]
    edit(chapter.sections.get(slug="del-2"), body="Arkiveringsplikten gjelder alle innlegg.")
    edit(chapter.sections.get(slug="del-3"), body="En undersøkelse blant innbyggerne viste det.")
    edition_publish(number="1.0", title="Versjon 1.0")
    urls = [h.url for h in client.get("/sok/", {"q": "arkivere"}).context["page"]]
    if connection.vendor == "sqlite":
        # SQLite: a search word's stem may begin a longer word of the guide (a compound).
        assert "/veileder/ta-stilling/del-2/" in urls
    else:
        # PostgreSQL's Norwegian configuration matches whole words by their stems.
        assert "/veileder/ta-stilling/del-2/" not in urls
    assert "/veileder/ta-stilling/del-3/" not in urls
    # "søk" is inside "undersøkelse", not its beginning.
    response = client.get("/sok/", {"q": "søker innbyggerne"})
    assert response.context["page"].paginator.count == 0
    # Both words of the search must match, here in one section.
    urls = [h.url for h in client.get("/sok/", {"q": "undersøkelsen innbyggerne"}).context["page"]]
    assert urls == ["/veileder/ta-stilling/del-3/"]
