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
from comments.search_index import FTS_TABLE, PUBLIC_TABLE
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
            # Made in the public index only: a column generated on the comment would be
            # computed anew on every update of the row, whatever it changed.
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = 'comments_comment' AND column_name = 'search_document'"
            )
            assert cursor.fetchone() == (0,)
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname = 'comment_public_search'",
                [PUBLIC_TABLE],
            )
            (definition,) = cursor.fetchone()
            assert "gin (document)" in definition
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'comments_comment'::regclass "
                "AND NOT tgisinternal AND tgname LIKE %s",
                [PUBLIC_TABLE + "%"],
            )
            names = {row[0] for row in cursor.fetchall()}
            events = ("insert", "update", "delete", "truncate")
            assert names == {f"{PUBLIC_TABLE}_{event}" for event in events}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name IN (%s, 'comments_comment') "
                "AND (type = 'trigger' AND name LIKE %s OR name = %s)",
                [FTS_TABLE, FTS_TABLE + "%", FTS_TABLE],
            )
            names = {row[0] for row in cursor.fetchall()}
            events = ("insert", "update", "replies", "delete")
            triggers = {f"{FTS_TABLE}_{event}" for event in events}
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
    assert matching("slett") == set()


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
    # Cold: 1 the content versions, 2 the current edition, 3 the edition's chapters and
    # 4 its sections (PostgreSQL: 3 the matching ones of both, ranked, with headlines),
    # 5 count the matches in the index of public comments, 6 the ids of the page's
    # matches, ranked in that index, 7 those comments (PostgreSQL: with their
    # headlines). Warm, the edition is kept per database state, and so on SQLite are the
    # chapters' and sections' stems; PostgreSQL matches them in the database (3).
    cold, warm = (6, 5) if connection.vendor == "postgresql" else (7, 4)
    with django_assert_num_queries(cold):
        response = client.get("/sok/", {"q": "kommentar", "side": 2})
    assert len(response.context["page"]) == shown
    with django_assert_num_queries(warm):
        response = client.get("/sok/", {"q": "kommentar", "side": 2})
    assert len(response.context["page"]) == shown
    assert response.content.decode().count('class="result result--comment"') == shown


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


# The index holds the public comments only (SQLite: migration 0010, PostgreSQL: 0011):
# the search counts and ranks in it alone, so what it holds is what the public sees.


def indexed() -> set[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT comment_id FROM {PUBLIC_TABLE}")
        else:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")
        return {row[0] for row in cursor.fetchall()}


def public() -> set[int]:
    return set(Comment.objects.published().values_list("pk", flat=True))


def matching(stem: str) -> set[int]:
    """The indexed comments holding `stem`, looked up as it is (not stemmed again)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT comment_id FROM {PUBLIC_TABLE} WHERE document @@ %s::tsquery",
                [stem],
            )
        else:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [stem])
        return {row[0] for row in cursor.fetchall()}


def test_the_index_holds_exactly_the_public_comments(edition, client):
    section = section_of(edition)
    shown = make_comment(edition, body="Indeksordet i en publisert kommentar.")
    pending = make_comment(edition, published=False, body="Indeksordet venter her.")
    withheld = make_comment(edition, body="Indeksordet blir holdt tilbake.")
    Comment.objects.filter(pk=withheld.pk).update(status=Status.WITHHELD, withheld_reason="spam")
    hidden = make_comment(edition, body="Indeksordet skjules etter meldinger.")
    Comment.objects.filter(pk=hidden.pk).update(hidden_by_reports=True)
    reply = make_comment(edition, parent=shown, body="Indeksordet i et synlig svar.")
    orphaned = bulk_comments(section, 2, status=Status.PUBLISHED, parent=withheld)
    orphaned += bulk_comments(section, 1, status=Status.PUBLISHED, parent=hidden)
    assert indexed() == public() == {shown.pk, reply.pk}
    assert not indexed() & {pending.pk, withheld.pk, hidden.pk, *(c.pk for c in orphaned)}
    response = client.get("/sok/", {"q": "indeksordet"})
    assert response.context["page"].paginator.count == 2
    assert set(found(client, "indeksordet")) == {
        shown.get_absolute_url(),
        reply.get_absolute_url(),
    }


def test_a_withheld_comment_leaves_the_index_and_comes_back(edition):
    comment = make_comment(edition, body="Tilbakeholdt kommentar her.")
    assert comment.pk in indexed()
    Comment.objects.filter(pk=comment.pk).update(status=Status.WITHHELD, withheld_reason="x")
    assert comment.pk not in indexed()
    Comment.objects.filter(pk=comment.pk).update(status=Status.PUBLISHED, withheld_reason="")
    assert comment.pk in indexed()


def test_a_reply_leaves_with_its_hidden_parent_and_comes_back(edition, client):
    parent = make_comment(edition, body="Foreldreordet står i denne kommentaren.")
    reply = make_comment(edition, parent=parent, body="Svarordet står i dette svaret.")
    # A reply to the reply depends on the reply alone, not on the first comment.
    answer = make_comment(edition, parent=reply, body="Svarordet igjen, i et svar til svaret.")
    assert indexed() == {parent.pk, reply.pk, answer.pk}
    Comment.objects.filter(pk=parent.pk).update(hidden_by_reports=True)
    assert indexed() == public() == {answer.pk}
    assert found(client, "svarordet") == [answer.get_absolute_url()]
    Comment.objects.filter(pk=parent.pk).update(hidden_by_reports=False)
    assert indexed() == public() == {parent.pk, reply.pk, answer.pk}
    assert len(found(client, "svarordet")) == 2
    # Withheld, then published again through the model's own save().
    parent.refresh_from_db()
    parent.status, parent.withheld_reason = Status.WITHHELD, "spam"
    parent.save()
    assert indexed() == {answer.pk}
    parent.status, parent.withheld_reason = Status.PUBLISHED, ""
    parent.save()
    assert indexed() == {parent.pk, reply.pk, answer.pk}


def test_a_reply_moved_to_another_parent_follows_it(edition):
    shown = make_comment(edition, body="Synlig forelder.")
    withheld = make_comment(edition, published=False, body="Ventende forelder.")
    reply = make_comment(edition, parent=shown, body="Et svar som flytter.")
    assert reply.pk in indexed()
    Comment.objects.filter(pk=reply.pk).update(parent=withheld)
    assert reply.pk not in indexed()
    Comment.objects.filter(pk=reply.pk).update(parent=None)
    assert reply.pk in indexed()


def test_an_edited_comment_is_indexed_by_its_new_words_only(edition):
    comment = make_comment(edition, body="Gammelordet står her.")
    comment.body = "Nyordet står her nå."
    comment.save()
    assert matching("gammelord") == set()
    assert matching("nyord") == {comment.pk}
    Comment.objects.filter(pk=comment.pk).update(quote="sitatordet")
    assert matching("sitatord") == {comment.pk}
    assert matching("nyord") == {comment.pk}


def test_a_deleted_reply_and_parent_leave_the_index(edition):
    parent = make_comment(edition, body="Sletteforelder her.")
    reply = make_comment(edition, parent=parent, body="Slettesvar her.")
    parent.delete()  # the reply goes with it (CASCADE)
    assert not Comment.objects.filter(pk=reply.pk).exists()
    assert indexed() == set()


def test_a_reply_loaded_before_its_parent_is_found(edition, client, tmp_path):
    parent = make_comment(edition, body="Forelderlasting her.")
    reply = make_comment(edition, parent=parent, body="Lasteordet står i svaret.")
    fixture = tmp_path / "comments.json"
    # The reply first: the parent's arrival must index it.
    fixture.write_text(serializers.serialize("json", [reply, parent]), encoding="utf-8")
    Comment.objects.filter(pk__in=[parent.pk, reply.pk]).delete()
    assert indexed() == set()
    call_command("loaddata", str(fixture), verbosity=0)
    assert indexed() == {parent.pk, reply.pk}
    assert found(client, "lasteordet") == [reply.get_absolute_url()]


def test_migration_fills_the_index_with_the_public_comments(edition):
    import importlib

    postgres = connection.vendor == "postgresql"
    # The latest fill of each database's index.
    name = "0013_search_document_in_public_index_only" if postgres else "0010_public_search_index"
    migration = importlib.import_module(f"comments.migrations.{name}")
    shown = make_comment(edition, body="Fyllordet her.")
    make_comment(edition, published=False, body="Fyllordet venter.")
    withheld = make_comment(edition, body="Fyllordet tilbake.")
    Comment.objects.filter(pk=withheld.pk).update(status=Status.WITHHELD, withheld_reason="spam")
    reply = make_comment(edition, parent=shown, body="Fyllordet svar.")
    bulk_comments(section_of(edition), 2, status=Status.PUBLISHED, parent=withheld)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PUBLIC_TABLE if postgres else FTS_TABLE}")
        cursor.execute(migration.FILL)
    assert indexed() == public() == {shown.pk, reply.pk}
    assert matching("fyllord") == {shown.pk, reply.pk}


def test_the_count_is_the_number_of_public_matches(edition, client):
    section = section_of(edition)
    bulk_comments(section, 7, status=Status.PUBLISHED)
    bulk_comments(section, 3, status=Status.WITHHELD, withheld_reason="spam")
    bulk_comments(section, 2, status=Status.PUBLISHED, hidden_by_reports=True)
    response = client.get("/sok/", {"q": "kommentar"})
    assert response.context["page"].paginator.count == 7
    assert response.context["page"].paginator.num_pages == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_truncated_comments_leave_the_index(edition):
    # As Django's flush does (TransactionTestCase): the index, not referencing the
    # comments (migration 0011), is emptied by a trigger.
    make_comment(edition, body="Tømmeordet står her.")
    assert indexed()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        cursor.execute("TRUNCATE comments_comment CASCADE")
    assert indexed() == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers and planner")
def test_writing_a_comment_finds_its_replies_through_the_index_not_a_scan(edition):
    """The triggers look for a comment's replies on every write; at 100,000 comments a
    scan of the table cost 40 ms per comment sent. Checked with the statistics a large
    table has (ANALYZE), which is when SQLite's planner chose the scan."""
    from comments import search_index

    bulk_comments(section_of(edition), 200, status=Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for statement in search_index._reindex_replies("parent_row").split(";"):
            if not statement.strip():
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + statement.replace("parent_row.id", "1"))
            plan = [row[-1] for row in cursor.fetchall()]
            scans = [step for step in plan if step.startswith("SCAN ") and "VIRTUAL" not in step]
            assert not scans, plan
