"""The report per round, /horing/rapport/ (issue 14)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from comments.models import Outcome
from comments.services import comment_respond
from guide.services import RoundRequest
from publishing.services import edition_publish
from tests.factories import edit, make_comment, section_of


def test_the_report_opens_on_the_round_with_comments(open_guide, client):
    first = open_guide["edition"]
    make_comment(first, body="Kommentar til runden på 0.9.")
    edit(open_guide["chapters"][0].sections.first(), body="Endret tekst til 1.0.")
    newer = edition_publish(
        number="1.0",
        title="Ny versjon",
        consultation=RoundRequest(first.comment_opens, first.comment_closes),
    )
    response = client.get("/horing/rapport/")
    assert response.context["chosen"] == first
    assert "Kommentar til runden på 0.9." in response.content.decode()
    # A round can still be chosen, including one without comments.
    chosen = client.get("/horing/rapport/?versjon=1.0")
    assert chosen.context["chosen"] == newer
    assert "Kommentar til runden på 0.9." not in chosen.content.decode()
    # Once the newer round has comments, it is the one the report opens on.
    make_comment(newer, body="Kommentar til runden på 1.0.")
    assert client.get("/horing/rapport/").context["chosen"] == newer


def test_the_report_lists_chapters_before_case_studies(open_guide, client):
    make_comment(open_guide["edition"])
    kinds = [c.chapter.kind for c in client.get("/horing/rapport/").context["chapters"]]
    assert kinds == sorted(kinds, key=lambda kind: kind != "chapter") and "case" in kinds
    assert kinds[0] == "chapter"


def test_the_report_shows_open_comments_and_each_outcome_its_own_look(open_guide, client):
    edition = open_guide["edition"]
    make_comment(edition, body="Ikke vurdert ennå, men synlig i rapporten.")
    declined = make_comment(edition, body="Denne ble ikke tatt til følge.")
    comment_respond(comment=declined, outcome=Outcome.DECLINED, explanation="Utenfor målet.")
    accepted = make_comment(edition, body="Denne ble tatt til følge.")
    comment_respond(comment=accepted, outcome=Outcome.ACCEPTED)
    html = client.get("/horing/rapport/").content.decode()
    assert "Ikke vurdert ennå, men synlig i rapporten." in html
    assert 'class="said-did said-did--open"' in html
    assert 'class="said-did said-did--declined"' in html
    assert 'class="said-did said-did--accepted"' in html
    assert '<span class="outcome outcome--declined">Ikke tatt til følge</span>' in html


def test_declined_does_not_look_like_accepted(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/innspill.css"), encoding="utf-8").read()
    rules = {}
    for outcome in ("accepted", "declined"):
        start = css.index(f".outcome--{outcome} {{")
        rules[outcome] = css[start : css.index("}", start)].split("{", 1)[1]
    assert rules["accepted"] != rules["declined"]
    assert "--ok-" not in rules["declined"]


def test_the_report_has_in_page_navigation(open_guide, client):
    make_comment(open_guide["edition"])
    html = client.get("/horing/rapport/").content.decode()
    assert 'href="#sammendrag"' in html and 'id="sammendrag"' in html
    for slug in ("forord", "ta-stilling", "lanekassa"):
        assert f'href="#rapport-{slug}"' in html and f'id="rapport-{slug}"' in html


def test_the_report_leaves_out_unpublished_and_reply_comments(open_guide, client):
    edition = open_guide["edition"]
    make_comment(edition, published=False, body="Venter fortsatt på moderering her.")
    parent = make_comment(edition, body="Hovedkommentar i rapporten.")
    make_comment(edition, parent=parent, body="Et svar som ikke er en egen rad.")
    html = client.get("/horing/rapport/").content.decode()
    assert "Hovedkommentar i rapporten." in html
    assert "Venter fortsatt" not in html and "Et svar som ikke" not in html


def test_a_round_with_comments_only_on_a_case_study(open_guide, client):
    edition = open_guide["edition"]
    make_comment(edition, edition_section=section_of(edition, "lanekassa", "del-1"))
    response = client.get("/horing/rapport/")
    totals = dict((value, n) for value, _label, n in response.context["totals"])
    assert totals[Outcome.OPEN] == 1
    edition.comment_closes = timezone.now() - timedelta(minutes=1)
    edition.save()
    assert client.get("/horing/rapport/").context["chosen"] == edition


def test_the_report_before_anything_is_published(db, client):
    response = client.get("/horing/rapport/")
    assert response.status_code == 200
    assert response.context["chosen"] is None
