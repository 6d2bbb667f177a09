from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from guide.services import edition_publish
from tests.comments.conftest import make_comment
from tests.conftest import edit

URL = "/veileder/ta-stilling/"


def test_chapter_page_is_served_from_the_cache(guide, client, django_assert_num_queries):
    first = client.get(URL)
    with django_assert_num_queries(0):
        second = client.get(URL)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


def test_conditional_get_answers_not_modified(guide, client):
    etag = client.get(URL)["ETag"]
    response = client.get(URL, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_the_cached_page_is_replaced_when_an_edition_is_published(
    guide, client, django_capture_on_commit_callbacks
):
    before = client.get(URL)
    edit(guide["chapters"][1].sections.get(slug="del-1"), body="Ny tekst etter høringen.")
    with django_capture_on_commit_callbacks(execute=True):
        edition_publish(number="1.0", title="Versjon 1.0")
    after = client.get(URL)
    assert "Ny tekst etter høringen." in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_the_cached_page_is_replaced_when_a_comment_is_published(
    guide, client, django_capture_on_commit_callbacks
):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()
    assert "(1 " not in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(edition)
    html = client.get(URL).content.decode()
    assert "(1 kommentar)" in html or "(1 comment)" in html


def test_each_language_is_cached_on_its_own(guide, client):
    nb = client.get(URL).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(URL).content.decode()
    assert '<html lang="nb">' in nb and '<html lang="en">' in en


def test_query_strings_and_errors_are_not_cached(guide, client, django_assert_num_queries):
    client.get(URL + "?x=1")
    # Uncached: the chapter page's queries, and its edition's stored PDF (for the size).
    with django_assert_num_queries(5):
        client.get(URL + "?x=1")
    client.get("/veileder/finnes-ikke/")
    assert client.get("/veileder/finnes-ikke/").status_code == 404


def test_the_chapter_page_sets_no_cookie_and_holds_no_csrf_token(guide, client):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()
    response = client.get(URL)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert 'id="inline-comment"' in response.content.decode()


def test_the_inline_form_fragment(guide, client):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()
    fragment = client.get("/veileder/ta-stilling/del-1/?fragment=form")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert html.lstrip().startswith("<form") and "csrfmiddlewaretoken" in html
    assert "<html" not in html
    assert 'action="/veileder/ta-stilling/del-1/"' in html


def test_the_inline_form_fragment_is_refused_outside_the_period(guide, client):
    assert client.get("/veileder/ta-stilling/del-1/?fragment=form").status_code == 404


def test_pages_work_when_the_cache_is_down(guide, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 200


def test_a_page_served_early_from_the_cache_keeps_every_header(guide, client):
    first = client.get(URL)
    second = client.get(URL)
    assert second.content == first.content
    for header in [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Content-Language",
        "ETag",
        "Cache-Control",
    ]:
        assert second[header] == first[header], header
    assert set(second["Vary"].replace(" ", "").split(",")) >= {"Accept-Language", "Cookie"}
    client.cookies["django_language"] = "nn"
    assert '<html lang="nn">' in client.get(URL).content.decode()


def test_the_early_cache_refuses_unknown_hosts(guide, client):
    client.get(URL)
    assert client.get(URL, HTTP_HOST="evil.example").status_code == 400
