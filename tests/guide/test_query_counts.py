"""Every public page runs a fixed number of queries, whatever the amount of data.

Pages served whole from the page cache run none at all once warm; these counts are for
a cold cache, the expensive case. Each count names its queries.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guide.models import EditionSection
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
        comment_opens=now - timedelta(days=1),
        comment_closes=now + timedelta(days=30),
    )
    for section in first.sections.all():
        edit(section, body=section.body + " Endret.")
    edition = edition_publish(
        number="1.0",
        title="Så",
        comment_opens=now - timedelta(days=1),
        comment_closes=now + timedelta(days=30),
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
        # 1 current edition, 2 matching chapters, 3 matching sections, 4 count comments,
        # 5 a page of comments.
        ("/sok/?q=kommentar", 5),
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
