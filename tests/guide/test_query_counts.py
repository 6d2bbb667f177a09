"""Every public page runs a fixed number of queries, whatever the amount of data.

Pages served whole from the page cache run none at all once warm; these counts are for
a cold cache, the expensive case. Each count names its queries.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from guide.models import EditionSection
from guide.services import RoundRequest
from publishing.services import edition_publish
from tests.factories import edit, make_chapter, make_comment

SIZES = [(2, 1), (30, 60)]  # (sections per chapter, published comments)


@pytest.fixture(params=SIZES, ids=["small", "large"])
def data(request, db):
    sections, comments = request.param
    first = make_chapter(slug="forste", title="Første", sections=sections)
    make_chapter(slug="andre", title="Andre", sections=sections)
    make_chapter(kind="case", slug="case", title="Case", sections=2, organisation="Etat")
    now = timezone.now()
    edition_publish(
        number="0.9",
        title="Først",
        consultation=RoundRequest(now - timedelta(days=1), now + timedelta(days=30)),
    )
    for section in first.sections.all():
        edit(section, body=section.body + " Endret.")
    edition = edition_publish(
        number="1.0",
        title="Så",
        consultation=RoundRequest(now - timedelta(days=1), now + timedelta(days=30)),
    )
    target = EditionSection.objects.filter(edition=edition).first()
    for n in range(comments):
        make_comment(edition, edition_section=target, body=f"Søkbar kommentar nummer {n} her.")
    return edition


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # 1 current edition (the round banner reuses it), 2 its chapters.
        ("/", 2),
        ("/veileder/", 2),
        ("/eksempler/", 2),
        # 1 all editions, 2 the edition's chapters, 3-8 the comparison with the previous
        # edition (chapters, sections and section texts of both), cold cache, 9 its PDF.
        ("/versjoner/1.0/", 9),
        # 1 current edition, 2 this chapter in it, 3 every edition's copy of it,
        # 4 their sections.
        ("/veileder/forste/endringer/", 4),
        # Cold: 1 the content versions, 2 current edition, 3-4 the edition's chapters and
        # sections (the edition and the sections' stems are then kept per database
        # state), 5 count the matching comments in the index of public comments alone,
        # 6 the ids of a page of them, ranked in that index, 7 that page. PostgreSQL
        # matches the chapters and sections in the database in one statement (3-4 are
        # one) and reads the page with its headlines.
        ("/sok/?q=kommentar", 6 if connection.vendor == "postgresql" else 7),
        # 1 all comments counted by state.
        ("/horing/", 2),
        # 1 all editions, 2 editions with published comments (the round to open on),
        # 3 its published comments, 4 its chapters, 5 its sections, 6 withheld by reason.
        ("/horing/rapport/", 6),
        # Pages with no edition of their own: 1 the current edition (with the latest
        # round, in the same query) for the round banner.
        ("/personvern/", 1),
        ("/apne-data/", 1),
    ],
)
def test_public_page_query_count(data, client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


# The compare page and the API comment list do the same work however many comments there
# are: the count, and the comments a change answered, are read once per database state
# and return a bounded number of rows.


def _many(n: int):
    """Editions 0.9 and 1.0, with `n` published comments on one section of 0.9, all
    answered by 1.0's change to it."""
    from comments.models import Status
    from tests.factories import bulk_comments

    chapter = make_chapter(slug="forste", title="Første", sections=2)
    edition_publish(number="0.9", title="Først")
    for section in chapter.sections.all():
        edit(section, body=section.body + " Endret.")
    new = edition_publish(number="1.0", title="Så")
    old_section = EditionSection.objects.filter(edition__number="0.9").first()
    bulk_comments(
        old_section,
        n,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        addressed_in_edition=new,
    )


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache", "no-page-cache"])
@pytest.mark.parametrize("n", [10, 30])
def test_compare_and_api_query_counts_do_not_grow_with_comments(
    db, client, settings, django_assert_num_queries, n, page_cache
):
    import core.cache

    settings.PAGE_CACHE = page_cache
    _many(n)
    # Cold: 1 content versions, 2 all editions, 3-8 both editions' chapters, sections and
    # section texts (the word diffs), 9 the first five comments answered in each section
    # with each section's total.
    with django_assert_num_queries(9):
        html = client.get("/endringer/").content.decode()
    assert f"og {n - 5} kommentarer til" in html or f"and {n - 5} more comments" in html
    # Warm: 1 content versions (the page, kept per database state, page cache or not).
    with django_assert_num_queries(1):
        client.get("/endringer/")

    # Cold: 1 content versions, 2 count the comments, 3 the first page.
    with django_assert_num_queries(3):
        data = client.get("/api/v1/comments/?page_size=5").json()
    assert data["count"] == n
    core.cache._local_pages.clear()
    from django.core.cache import cache

    cache.clear()
    # A page after a cursor, cold: the same three.
    cursor = data["next"].split("/api/v1/comments/")[1]
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/comments/" + cursor).json()["results"]) == 5
    # Another page of the same list: 1 content versions, 2 the page (the count is kept).
    with django_assert_num_queries(2):
        client.get("/api/v1/comments/?page_size=7")
    # The same page again, warm: 1 content versions (its JSON is kept per database state,
    # page cache or not), and the same answer with the API's headers.
    with django_assert_num_queries(1):
        again = client.get("/api/v1/comments/?page_size=7")
    assert again["Content-Type"] == "application/json"
    assert again["Access-Control-Allow-Origin"] == "*"
    assert len(again.json()["results"]) == 7
