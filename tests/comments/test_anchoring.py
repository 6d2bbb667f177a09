from __future__ import annotations

from comments.anchoring import locate
from comments.models import AnchorState, Comment
from core.markdown import highlight, html_text, render
from publishing.services import edition_publish
from tests.factories import edit, make_comment, section_of

PARAGRAPHS = [
    "Virksomheten bør først avklare formålet med kanalen.",
    "Deretter velger den målgrupper og kanaler som passer.",
    "Til slutt lager den retningslinjer for de ansatte.",
]
QUOTE = "avklare formålet med kanalen"
URL = "/veileder/ta-stilling/del-1/"


def test_locate_finds_an_exact_passage_across_whitespace_and_markup():
    text = html_text(render("Første *avsnitt*.\n\nAndre   avsnitt\nher."))
    anchor = locate(text, "avsnitt. Andre avsnitt")
    assert anchor.state == AnchorState.EXACT
    assert text[anchor.start : anchor.end] == "avsnitt.\nAndre   avsnitt"


def test_locate_uses_the_surrounding_text_to_pick_between_repeats():
    text = "Ja, si ja. Nei, si ja til dette."
    second = locate(text, "si ja", prefix="Nei, ", suffix=" til dette")
    assert text[second.start :].startswith("si ja til")
    first = locate(text, "si ja", prefix="Ja, ", suffix=". Nei")
    assert first.start == 4


def test_locate_reports_a_rewritten_passage_between_its_old_neighbours():
    old = "Dette er starten av teksten. Den gamle setningen står her. Og så kommer slutten."
    anchor = locate(old, "Den gamle setningen står her.")
    new = "Dette er starten av teksten. En helt ny formulering. Og så kommer slutten."
    moved = locate(new, "Den gamle setningen står her.", anchor.prefix, anchor.suffix)
    assert moved.state == AnchorState.CHANGED
    assert new[moved.start : moved.end] == "En helt ny formulering."


def test_locate_gives_up_when_nothing_is_left():
    assert locate("Helt annen tekst.", "noe som var her før", "x" * 10, "y" * 10).state == (
        AnchorState.LOST
    )


def test_highlight_wraps_text_across_tags_and_keeps_entities():
    rendered = render("En *fin* tekst & mer.")
    text = html_text(rendered)
    start = text.index("fin")
    out = highlight(rendered, [(start, text.index("mer"), "quote")])
    assert out == (
        '<p>En <em><mark class="quote">fin</mark></em><mark class="quote"> tekst &amp; </mark>'
        "mer.</p>"
    )


def _publish_with(guide, paragraphs: list[str], number: str) -> None:
    section = guide["chapters"][1].sections.get(slug="del-1")
    edit(section, body="\n\n".join(paragraphs))
    edition_publish(number=number, title=f"Versjon {number}")


def test_a_quote_stays_highlighted_after_a_new_edition_moves_the_passage(open_guide, client):
    _publish_with(open_guide, PARAGRAPHS, "0.95")
    edition = open_guide["edition"].__class__.objects.current()
    edition.comment_opens, edition.comment_closes = (
        open_guide["edition"].comment_opens,
        open_guide["edition"].comment_closes,
    )
    edition.save()
    comment = make_comment(edition, edition_section=section_of(edition), quote=QUOTE)
    assert comment.anchor_state == AnchorState.EXACT

    moved = [PARAGRAPHS[1], PARAGRAPHS[2], PARAGRAPHS[0]]
    _publish_with(open_guide, moved, "1.0")
    comment.refresh_from_db()
    assert comment.anchor_state == AnchorState.EXACT
    assert comment.anchor_edition.number == "1.0"
    html = client.get(URL).content.decode()
    assert f'<mark class="quote">{QUOTE}</mark>' in html
    assert "quote-changed" not in html
    assert "versjon 0.95" in html  # made on an earlier version


def test_a_rewritten_passage_is_shown_as_changed_and_never_dropped(open_guide, client):
    _publish_with(open_guide, PARAGRAPHS, "0.95")
    edition = open_guide["edition"].__class__.objects.current()
    comment = make_comment(edition, edition_section=section_of(edition), quote=QUOTE)

    rewritten = [
        "Virksomheten bør først bestemme hva den vil oppnå.",
        PARAGRAPHS[1],
        PARAGRAPHS[2],
    ]
    _publish_with(open_guide, rewritten, "1.0")
    comment.refresh_from_db()
    assert comment.anchor_state == AnchorState.CHANGED
    html = client.get(URL).content.decode()
    assert comment.body in html
    assert QUOTE in html  # the passage as it was
    assert "quote-changed" in html
    assert 'href="/versjoner/0.95/ta-stilling/#del-1"' in html
    assert '<mark class="quote quote--changed">' in html


def test_a_comment_on_a_section_that_left_the_guide_is_kept(open_guide, client):
    comment = make_comment(open_guide["edition"], quote="noe om formålet")
    edit(open_guide["chapters"][1].sections.get(slug="del-1"), is_active=False)
    edition_publish(number="1.0", title="Uten del 1")
    comment.refresh_from_db()
    assert comment.anchor_state == AnchorState.LOST
    assert Comment.objects.published().filter(pk=comment.pk).exists()
    assert client.get(comment.get_absolute_url()).status_code == 200


def test_reanchoring_works_through_every_batch(open_guide, django_assert_max_num_queries):
    from comments.services import comments_reanchor

    edition = open_guide["edition"]
    quoted = [make_comment(edition, quote="noe om formålet") for _ in range(5)]
    plain = [make_comment(edition) for _ in range(3)]
    section = open_guide["chapters"][1].sections.get(slug="del-1")
    edit(section, body="Ny innledning. " + section.body)
    new = edition_publish(number="1.0", title="Versjon 1.0")
    Comment.objects.update(anchor_edition=None, anchor_state=AnchorState.NONE)
    assert comments_reanchor(edition=new, batch_size=2) == 5
    for comment in Comment.objects.filter(pk__in=[c.pk for c in quoted]):
        assert (comment.anchor_edition_id, comment.anchor_state) == (new.pk, AnchorState.EXACT)
    # Comments without a quote have nothing to locate, and are not written.
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in plain]).values_list(
            "anchor_edition_id", flat=True
        )
    ) == {None}


def test_an_edition_that_keeps_a_text_leaves_its_quotes_as_they_were(open_guide, client):
    edition = open_guide["edition"]
    kept = make_comment(edition, quote="noe om formålet")
    assert kept.anchor_state == AnchorState.EXACT
    located = (kept.anchor_edition_id, kept.anchor_start, kept.anchor_end)
    other = open_guide["chapters"][1].sections.get(slug="del-2")
    edit(other, body=other.body + "\n\nEt nytt avsnitt.")
    history = Comment.history.filter(id=kept.pk).count()

    new = edition_publish(number="1.0", title="Versjon 1.0")

    assert section_of(new).text_since_id == edition.pk  # del-1's text is as it was
    assert section_of(new, slug="del-2").text_since_id == new.pk
    kept.refresh_from_db()
    assert (kept.anchor_edition_id, kept.anchor_start, kept.anchor_end) == located
    assert Comment.history.filter(id=kept.pk).count() == history  # not written at all
    assert '<mark class="quote">noe om formålet</mark>' in client.get(URL).content.decode()
