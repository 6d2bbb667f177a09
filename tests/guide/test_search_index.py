"""The search finds comments through the index the database keeps for them
(comments/search_index.py), whatever wrote the rows: save(), bulk_create, update(),
loaddata or a delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from comments.models import Comment, Status
from comments.search_index import FTS_TABLE
from tests.factories import bulk_comments, make_comment, section_of


@pytest.fixture
def edition(guide):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()
    return edition


def found(client, words: str) -> list[str]:
    """The URLs of the comments a search finds, in the order shown (first page)."""
    response = client.get("/sok/", {"q": words})
    assert response.status_code == 200
    return [hit.url for hit in response.context["page"] if hit.kind == "comment"]


def test_the_index_exists(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'comments_comment' "
                "AND indexname = 'comment_search'"
            )
            (definition,) = cursor.fetchone()
            assert "gin (search_document)" in definition
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name IN (%s, 'comments_comment') "
                "AND (type = 'trigger' AND name LIKE %s OR name = %s)",
                [FTS_TABLE, FTS_TABLE + "%", FTS_TABLE],
            )
            names = {row[0] for row in cursor.fetchall()}
            triggers = {f"{FTS_TABLE}_{event}" for event in ("insert", "update", "delete")}
            assert names == {FTS_TABLE} | triggers


def test_a_saved_comment_is_found(edition, client):
    comment = make_comment(edition, body="Bibliotekene trenger egne regler for meldinger.")
    assert found(client, "bibliotekene") == [comment.get_absolute_url()]


def test_norwegian_stemming_finds_other_forms(edition, client):
    comment = make_comment(edition, body="Hver kommune bør ha en plan for sosiale medier.")
    assert found(client, "kommunene") == [comment.get_absolute_url()]
    assert found(client, "planer kommunen") == [comment.get_absolute_url()]


def test_every_word_must_match(edition, client):
    make_comment(edition, body="Hver kommune bør ha en plan for sosiale medier.")
    assert found(client, "kommune arkivering") == []


def test_the_quote_is_searched_too(edition, client):
    comment = make_comment(
        edition, body="Dette avsnittet er uklart for oss.", quote="journalføring av meldinger"
    )
    assert found(client, "journalføringen") == [comment.get_absolute_url()]


def test_a_comment_changed_with_update_is_found_by_its_new_words(edition, client):
    comment = make_comment(edition, body="Gammelordet står her i kommentaren.")
    Comment.objects.filter(pk=comment.pk).update(body="Nyordet står her i kommentaren nå.")
    assert found(client, "gammelordet") == []
    assert found(client, "nyordet") == [comment.get_absolute_url()]


def test_a_comment_withheld_or_hidden_with_update_is_not_found(edition, client):
    comment = make_comment(edition, body="Synlighetsordet står i denne kommentaren.")
    url = comment.get_absolute_url()
    assert found(client, "synlighetsordet") == [url]
    Comment.objects.filter(pk=comment.pk).update(status=Status.WITHHELD, withheld_reason="spam")
    assert found(client, "synlighetsordet") == []
    Comment.objects.filter(pk=comment.pk).update(status=Status.PUBLISHED, withheld_reason="")
    assert found(client, "synlighetsordet") == [url]
    Comment.objects.filter(pk=comment.pk).update(hidden_by_reports=True)
    assert found(client, "synlighetsordet") == []


def test_a_reply_to_a_withheld_comment_is_not_found(edition, client):
    parent = make_comment(edition, body="Foreldreordet står i denne kommentaren.")
    make_comment(edition, parent=parent, body="Svarordet står i dette svaret her.")
    assert len(found(client, "svarordet")) == 1
    Comment.objects.filter(pk=parent.pk).update(status=Status.WITHHELD, withheld_reason="spam")
    assert found(client, "svarordet") == []


def test_bulk_created_comments_are_found(edition, client):
    bulk_comments(section_of(edition), 3, status=Status.PUBLISHED)
    bulk_comments(section_of(edition), 2)  # pending
    response = client.get("/sok/", {"q": "kommentar nummer"})
    assert response.context["page"].paginator.count == 3


def test_a_deleted_comment_leaves_the_index(edition, client):
    comment = make_comment(edition, body="Sletteordet står i denne kommentaren.")
    Comment.objects.filter(pk=comment.pk).delete()
    assert found(client, "sletteordet") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH 'slett'")
            assert cursor.fetchone() == (0,)


def test_a_comment_restored_with_loaddata_is_found(edition, client, tmp_path):
    comment = make_comment(edition, body="Gjenopprettingsordet står i denne kommentaren.")
    fixture = tmp_path / "comment.json"
    fixture.write_text(serializers.serialize("json", [comment]), encoding="utf-8")
    Comment.objects.filter(pk=comment.pk).delete()
    assert found(client, "gjenopprettingsordet") == []
    call_command("loaddata", str(fixture), verbosity=0)
    assert found(client, "gjenopprettingsordet") == [comment.get_absolute_url()]


def test_comments_are_ranked_best_first_then_newest(edition, client):
    once = make_comment(
        edition,
        body="Vi har mange tanker om teksten, blant annet om arkivering, og om andre ting.",
    )
    thrice = make_comment(edition, body="Arkivering, arkivering og atter arkivering!")
    later = make_comment(
        edition,
        body="Vi har mange tanker om teksten, blant annet om arkivering, og om andre ting.",
    )
    # The older comment with the word three times first, whatever the order of writing;
    # equal matches newest first.
    Comment.objects.filter(pk=thrice.pk).update(created_at=timezone.now() - timedelta(days=3))
    urls = [c.get_absolute_url() for c in (thrice, later, once)]
    assert found(client, "arkivering") == urls


def test_headlines_mark_the_words_and_escape_the_rest(edition, client):
    make_comment(edition, body="<b>Kommunen</b> & <script>alert(1)</script> skriver.")
    page = client.get("/sok/", {"q": "kommune"}).content.decode()
    assert "<mark>Kommunen</mark>" in page
    assert "<script>alert(1)" not in page
    assert "<b>" not in page  # escaped on SQLite, left out of the headline on PostgreSQL


@pytest.mark.parametrize(("comments", "shown"), [(15, 5), (40, 10)])
def test_a_search_page_runs_a_fixed_number_of_queries(
    edition, client, django_assert_num_queries, comments, shown
):
    bulk_comments(section_of(edition), comments, status=Status.PUBLISHED)
    # 1 current edition, 2 matching chapters, 3 matching sections, 4 count comments,
    # 5 a page of comments (with their headlines, on PostgreSQL).
    with django_assert_num_queries(5):
        response = client.get("/sok/", {"q": "kommentar", "side": 2})
    assert len(response.context["page"]) == shown


def test_pages_hold_only_matches_whatever_else_is_newer(edition, client):
    section = section_of(edition)
    matching = bulk_comments(section, 12, status=Status.PUBLISHED)
    Comment.objects.filter(pk__in=[c.pk for c in matching]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    Comment.objects.bulk_create(
        Comment(
            section_id=section.section_id,
            edition_section=section,
            name=f"Annen {n}",
            body=f"Noe helt annet, nummer {n}.",
            status=Status.PUBLISHED,
        )
        for n in range(15)
    )
    wanted = {f"/kommentarer/{c.pk}/" for c in matching}
    first = client.get("/sok/", {"q": "kommentar"}).context["page"]
    second = client.get("/sok/", {"q": "kommentar", "side": 2}).context["page"]
    assert first.paginator.count == 12
    shown = [hit.url for hit in [*first, *second]]
    assert len(shown) == 12 and set(shown) == wanted
