"""What the comment selectors hand the public pages."""

from __future__ import annotations

from comments.models import Comment, Status
from comments.selectors import report_chapters, report_totals, with_comment_counts
from guide.models import EditionSection
from publishing.services import edition_publish
from tests.factories import make_comment


def test_comment_counts_cover_the_section_in_every_edition_but_only_what_is_public(open_guide):
    old = open_guide["edition"]
    first = make_comment(old, body="Kommentar på versjon 0.9 her.")
    make_comment(old, parent=first, body="Et offentlig svar på den.")
    make_comment(old, published=False, body="Venter fortsatt på moderator.")
    withheld = make_comment(old, body="Holdes tilbake etter hvert.")
    make_comment(old, parent=withheld, body="Svar på det som holdes tilbake.")
    Comment.objects.filter(pk=withheld.pk).update(status=Status.WITHHELD, withheld_reason="spam")
    new = edition_publish(number="1.0", title="Ny versjon")
    make_comment(new, body="Kommentar på versjon 1.0 her.")

    counts = {
        row.slug: row.comment_count
        for row in with_comment_counts(
            EditionSection.objects.filter(edition=new, edition_chapter__slug="ta-stilling")
        )
    }
    assert counts == {"del-1": 3, "del-2": 0, "del-3": 0}


def test_the_report_holds_top_level_comments_per_section_with_their_tally(
    open_guide, django_assert_num_queries
):
    edition = open_guide["edition"]
    first = make_comment(edition, body="Første kommentar om del 1.")
    make_comment(edition, parent=first, body="Et svar teller ikke i rapporten.")
    Comment.objects.filter(pk=first.pk).update(outcome="accepted")
    make_comment(edition, body="Andre kommentar om del 1.")

    chapters = report_chapters(edition)
    assert [c.chapter.kind for c in chapters] == ["chapter", "chapter", "case"]
    part = next(c for c in chapters if c.chapter.slug == "ta-stilling")
    assert part.total == 2
    row = part.sections[0]
    assert row.section.slug == "del-1"
    assert [c.body for c in row.comments] == [
        "Første kommentar om del 1.",
        "Andre kommentar om del 1.",
    ]
    assert {value: n for value, _label, n in row.tally if n} == {"accepted": 1, "open": 1}
    totals = {value: n for value, _label, n in report_totals(chapters)}
    assert totals["accepted"] == 1 and totals["open"] == 1 and sum(totals.values()) == 2
    with django_assert_num_queries(0):  # each chapter knows its edition already
        assert part.chapter.edition.number == edition.number
