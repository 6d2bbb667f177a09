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
    # Another view of the same pair: the word diffs of two frozen editions, and the
    # comments addressed in this database state, are kept apart from the page.
    # 1 content versions, 2 editions.
    with django_assert_num_queries(2):
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


# The comments a change answered ------------------------------------------------------


def _addressed(count: int, *, edition_number: str = "1.0", **fields):
    """`count` published comments on ta-stilling/del-2 in 0.9, answered in `edition_number`."""
    from django.utils import timezone

    from comments.models import Status
    from tests.factories import bulk_comments

    section = EditionSection.objects.get(
        edition__number="0.9", slug="del-2", edition_chapter__slug="ta-stilling"
    )
    return bulk_comments(
        section,
        count,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        addressed_in_edition=Edition.objects.get(number=edition_number),
        **fields,
    )


def test_a_change_lists_its_first_five_comments_and_counts_the_rest(two_editions, client):
    made = _addressed(8)
    html = client.get("/endringer/?fra=0.9&til=1.0", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for comment in made[:5]:
        assert f'href="/kommentarer/{comment.pk}/"' in html
    for comment in made[5:]:
        assert f'href="/kommentarer/{comment.pk}/"' not in html
    # The rest are on the section's own page, with all its comments.
    assert '<a href="/veileder/ta-stilling/del-2/#kommentarer">and 3 more comments</a>' in html


def test_one_more_comment_is_counted_in_the_singular(two_editions, client):
    _addressed(6)
    html = client.get("/endringer/?fra=0.9&til=1.0", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">and 1 more comment</a>" in html


def test_five_comments_or_fewer_are_all_listed_with_no_count(two_editions, client):
    made = _addressed(5)
    html = client.get("/endringer/?fra=0.9&til=1.0").content.decode()
    assert all(f'href="/kommentarer/{c.pk}/"' in html for c in made)
    assert "#kommentarer" not in html


def test_a_withheld_comment_leaves_the_compare_page_at_once(two_editions, client, settings):
    from comments.services import comment_withhold

    settings.PAGE_CACHE = False  # kept per database state all the same (rendered_once)
    first, *rest = _addressed(6)
    html = client.get("/endringer/").content.decode()
    assert f'href="/kommentarer/{first.pk}/"' in html and "#kommentarer" in html
    comment_withhold(comment=first, reason="spam")
    html = client.get("/endringer/").content.decode()
    assert f'href="/kommentarer/{first.pk}/"' not in html
    assert all(f'href="/kommentarer/{c.pk}/"' in html for c in rest)
    assert "#kommentarer" not in html  # five left: all listed, no count


def test_comments_answered_in_an_edition_outside_the_pair_are_not_listed(two_editions, client):
    chapter = two_editions["chapters"][0]
    edit(chapter.sections.get(slug="del-2"), body="Omskrevet for 1.1.")
    edition_publish(number="1.1", title="Versjon 1.1")
    later = _addressed(2, edition_number="1.1")
    html = client.get("/endringer/?fra=0.9&til=1.0").content.decode()
    assert not any(f'href="/kommentarer/{c.pk}/"' in html for c in later)
    html = client.get("/endringer/?fra=0.9&til=1.1").content.decode()
    assert all(f'href="/kommentarer/{c.pk}/"' in html for c in later)


def test_the_compare_page_is_rendered_once_per_database_state_with_the_page_cache_off(
    two_editions, client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE = False
    _addressed(7)
    first = client.get("/endringer/")
    # 1 content versions: the rendered page is kept under them.
    with django_assert_num_queries(1):
        again = client.get("/endringer/")
    assert again.content == first.content
    _addressed(1)  # a new state: rendered again, with the new count
    html = client.get("/endringer/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "and 3 more comments" in html


# The form ----------------------------------------------------------------------------


def test_a_bad_choice_is_explained_beside_its_field_and_in_the_summary(two_editions, client):
    response = client.get("/endringer/?fra=0.9&til=0.9")
    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors == {"til": ["Velg to ulike versjoner å sammenligne."]}
    assert '<li><a href="#til">Velg to ulike versjoner å sammenligne.</a></li>' in html
    assert 'id="til" name="til" aria-invalid="true" aria-describedby="til_error"' in html
    assert 'id="til_error"' in html and "field--error" in html
    assert "js/error-summary" in html  # moves focus to the summary when JavaScript runs
    assert response.context["form"]["fra"].value() == "0.9"  # the choices are kept
    assert "<title>Feil:" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("fra=7.0&til=1.0", "fra", "Det finnes ingen versjon 7.0."),
        ("fra=0.9&til=7.1", "til", "Det finnes ingen versjon 7.1."),
        ("fra=0.9&til=<script>", "til", "Velg en versjon fra listen."),
        ("fra=" + "9" * 500, "fra", "Velg en versjon fra listen."),
        ("visning=begge", "visning", "Velg hvordan endringene skal vises."),
    ],
)
def test_each_bad_value_gets_a_clear_message(two_editions, client, query, field, message):
    response = client.get(f"/endringer/?{query}")
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field, [])
    assert len(errors) == 1
    # English messages are checked when no translation exists yet.
    assert errors[0] in (message, _english(message))
    html = response.content.decode()
    anchor = "visning-inline" if field == "visning" else field
    assert f'<a href="#{anchor}">' in html and f'id="{anchor}"' in html
    assert "9" * 500 not in str(errors)  # a value that is no version is not repeated back


def _english(message: str) -> str:
    return {
        "Velg en versjon fra listen.": "Choose a version from the list.",
        "Velg hvordan endringene skal vises.": "Choose how to show the changes.",
    }.get(message, message)


def test_the_form_defaults_to_the_two_newest_editions_shown_in_the_text(two_editions, client):
    response = client.get("/endringer/?fra=&til=&visning=", follow=True)
    assert response.redirect_chain == [("/endringer/", 302)]  # the canonical address
    assert response.status_code == 200
    assert (response.context["old"].number, response.context["new"].number) == ("0.9", "1.0")
    assert response.context["view"] == "inline"


def test_an_error_page_is_never_kept(two_editions, client, settings):
    settings.PAGE_CACHE = False
    assert client.get("/endringer/?fra=1.0&til=1.0").status_code == 400
    assert client.get("/endringer/?fra=1.0&til=1.0").status_code == 400
    assert client.get("/endringer/?fra=0.9&til=1.0").status_code == 200


def test_compare_form_cleans_to_editions():
    from django.http import QueryDict

    from public.forms import CompareForm

    old, new = Edition(pk=1, number="0.9", title="A"), Edition(pk=2, number="1.0", title="B")
    form = CompareForm(QueryDict("visning=side"), editions=[new, old])
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"fra": old, "til": new, "visning": "side"}
    backwards = CompareForm(QueryDict("fra=1.0&til=0.9"), editions=[new, old])
    assert backwards.is_valid()  # comparing backwards is allowed
    assert backwards.cleaned_data["fra"] is new
