from __future__ import annotations

import pytest
from django.core.cache import cache

from guide.diff import word_diff
from guide.models import Edition, EditionSection
from publishing.services import edition_publish
from tests.factories import edit, make_section

LONG = " ".join(f"ord{n}" for n in range(200))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_one_word_changed_in_a_long_paragraph_shows_as_that_word():
    ops = word_diff(LONG, LONG.replace("ord120", "nytt"))
    changed = [(op, text) for op, text in ops if op != "equal"]
    assert changed == [("delete", "ord120"), ("insert", "nytt")]


def test_word_diff_of_added_and_removed_text():
    assert word_diff("", "helt ny") == [("insert", "helt ny")]
    assert word_diff("borte nå", "") == [("delete", "borte nå")]
    assert word_diff("a b c", "a b c") == [("equal", "a b c")]


@pytest.fixture
def two_editions(guide):
    forord, stilling = guide["chapters"]
    edit(forord.sections.get(slug="del-1"), slug="innledning", heading="Innledning")
    edit(stilling.sections.get(slug="del-3"), chapter=forord, order=9)
    edit(stilling.sections.get(slug="del-2"), body="Tekst i del. Her står det noe om målet.")
    edit(stilling.sections.get(slug="del-1"), is_active=False)
    make_section(stilling, slug="helt-ny", heading="Helt ny del", body="Ny tekst her.")
    edition_publish(number="1.0", title="Versjon 1.0")
    return guide


def test_compare_page_shows_every_kind_of_change(two_editions, client):
    response = client.get("/endringer/", {"fra": "0.9", "til": "1.0"})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary == {"added": 1, "removed": 1, "renamed": 1, "moved": 1, "changed": 1}
    html = response.content.decode()
    assert "Helt ny del" in html
    assert "<del>" in html and "<ins>" in html
    assert "formålet" in html and "målet" in html
    assert 'class="visually-hidden">[' in html  # screen readers hear added/removed


def test_side_by_side_view(two_editions, client):
    html = client.get("/endringer/?fra=0.9&til=1.0&visning=side").content.decode()
    assert "diff-side" in html


def test_compare_defaults_to_the_last_two_editions_and_follows_new_ones(two_editions, client):
    first = client.get("/endringer/")
    assert (first.context["old"].number, first.context["new"].number) == ("0.9", "1.0")
    chapter = two_editions["chapters"][0]
    edit(chapter.sections.get(slug="del-2"), body="Helt omskrevet for versjon 1.1.")
    edition_publish(number="1.1", title="Versjon 1.1")
    after = client.get("/endringer/")
    assert (after.context["old"].number, after.context["new"].number) == ("1.0", "1.1")
    assert "omskrevet" in after.content.decode()


@pytest.mark.parametrize("query", ["fra=0.9&til=0.9", "fra=7.0&til=1.0", "fra=0.9&til=<script>"])
def test_compare_explains_a_bad_choice(two_editions, client, query):
    response = client.get(f"/endringer/?{query}")
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_compare_with_one_edition_says_there_is_nothing_to_compare(guide, client):
    response = client.get("/endringer/")
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def test_compare_is_cached_after_the_first_render(two_editions, client, django_assert_num_queries):
    # Cold: 1 content versions (the page cache's key), 2 editions, 3-4 both editions'
    # chapters, 5-6 their sections, 7-8 their section texts, 9 comments addressed
    # between them.
    with django_assert_num_queries(9):
        client.get("/endringer/?fra=0.9&til=1.0")
    # Warm: 1 content versions; the page comes from the page cache.
    with django_assert_num_queries(1):
        client.get("/endringer/?fra=0.9&til=1.0")
    # Another view of the same pair: the word diffs of two frozen editions are kept
    # apart from the page. 1 content versions, 2 editions, 3 comments addressed.
    with django_assert_num_queries(3):
        client.get("/endringer/?fra=0.9&til=1.0&visning=side")


def test_compare_query_count_does_not_grow_with_sections(db, client, django_assert_num_queries):
    from tests.factories import make_chapter

    chapter = make_chapter(slug="stort", sections=40)
    edition_publish(number="0.9", title="Først")
    for section in chapter.sections.all()[:20]:
        edit(section, body=section.body + " Mer tekst.")
    edition_publish(number="1.0", title="Så")
    with django_assert_num_queries(9):
        assert client.get("/endringer/").status_code == 200


def test_compare_links_to_the_comments_a_change_addressed(two_editions, client):
    from comments.models import Comment
    from comments.services import comment_publish, comment_submit

    section = EditionSection.objects.get(
        edition__number="0.9", slug="del-2", edition_chapter__slug="ta-stilling"
    )
    comment = comment_submit(edition_section=section, name="Kari", body="Bør si mål, ikke formål.")
    comment_publish(comment=comment)
    Comment.objects.filter(pk=comment.pk).update(
        addressed_in_edition=Edition.objects.get(number="1.0")
    )
    html = client.get("/endringer/?fra=0.9&til=1.0").content.decode()
    assert f'href="/kommentarer/{comment.pk}/"' in html


def test_chapter_page_marks_sections_changed_since_the_previous_edition(two_editions, client):
    html = client.get("/veileder/ta-stilling/").content.decode()
    assert html.count("changed-note") == 2  # del-2 changed, helt-ny added
    assert 'href="/veileder/ta-stilling/endringer/"' in html
    old = client.get("/versjoner/0.9/ta-stilling/").content.decode()
    assert "changed-note" not in old


def test_chapter_history_lists_changes_per_edition(two_editions, client):
    response = client.get("/veileder/ta-stilling/endringer/")
    assert response.status_code == 200
    steps = response.context["steps"]
    assert [(s["old"].number, s["new"].number) for s in steps] == [("0.9", "1.0")]
    html = response.content.decode()
    assert "Helt ny del" in html and "<ins>" in html
    assert client.get("/veileder/finnes-ikke/endringer/").status_code == 404


def test_chapter_history_follows_a_renamed_chapter(two_editions, client):
    edit(two_editions["chapters"][1], slug="vurder")
    edition_publish(number="1.1", title="Versjon 1.1")
    response = client.get("/veileder/ta-stilling/endringer/")
    assert (response.status_code, response["Location"]) == (301, "/veileder/vurder/endringer/")


def test_edition_page_lists_its_changes(two_editions, client):
    html = client.get("/versjoner/1.0/").content.decode()
    assert "/endringer/?fra=0.9&amp;til=1.0" in html
    assert "Ta stilling" in html
