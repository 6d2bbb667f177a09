"""The page cache holds copies keyed by database state: never an old truth.

What several workers and instances see is tested against real gunicorn processes in
tests/reliability/test_one_truth.py; these tests pin the rules in one process.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from comments.models import Comment, Status
from comments.services import comment_withhold
from core import versions
from core.cache import CachedPage
from guide.rounds import page_state
from publishing.services import edition_publish
from tests.factories import edit, make_comment

URL = "/veileder/ta-stilling/"


def _open(edition) -> None:
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=1)
    edition.save()


def test_a_cached_page_costs_one_query(guide, client, django_assert_num_queries):
    first = client.get(URL)
    # 1 the content versions (with the current edition's period), nothing else.
    with django_assert_num_queries(1):
        second = client.get(URL)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"].replace(" ", "") in {"public,no-cache", "no-cache,public"}


def test_the_etag_is_a_digest_of_the_bytes(guide, client):
    response = client.get(URL)
    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def test_conditional_get_answers_not_modified(guide, client):
    etag = client.get(URL)["ETag"]
    response = client.get(URL, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_an_old_etag_gets_the_new_page_after_a_change(guide, client):
    old = client.get(URL)["ETag"]
    edit(guide["chapters"][1].sections.get(slug="del-1"), body="Ny tekst etter høringen.")
    edition_publish(number="1.0", title="Versjon 1.0")
    response = client.get(URL, headers={"if-none-match": old})
    assert response.status_code == 200
    assert "Ny tekst etter høringen." in response.content.decode()
    assert response["ETag"] != old


def test_publishing_replaces_the_cached_page_without_any_call_to_the_cache(guide, client):
    client.get(URL)
    edit(guide["chapters"][1].sections.get(slug="del-1"), body="Ny tekst etter høringen.")
    edition_publish(number="1.0", title="Versjon 1.0")
    assert "Ny tekst etter høringen." in client.get(URL).content.decode()


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache-on", "page-cache-off"])
def test_a_comment_withheld_by_plain_sql_leaves_the_page_at_once(
    guide, client, settings, page_cache
):
    """The version moves in the database itself: whatever makes the change (admin,
    command, another instance, an operator's SQL), the next request sees it, on pages
    served whole from the cache and on pages kept per database state alike."""
    settings.PAGE_CACHE = page_cache
    _open(guide["edition"])
    body = "Denne kommentaren holdes snart tilbake."
    comment = make_comment(guide["edition"], body=body)
    assert "(1 kommentar)" in client.get(URL).content.decode()
    assert body in client.get("/kommentarer/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE comments_comment SET status = %s, withheld_reason = %s WHERE id = %s",
            [Status.WITHHELD, "personal_data", comment.pk],
        )
    assert "(1 kommentar)" not in client.get(URL).content.decode()
    assert body not in client.get("/kommentarer/").content.decode()


def test_versions_move_with_public_changes_only(guide):
    _open(guide["edition"])
    before = versions.current()
    pending = make_comment(guide["edition"], published=False)
    assert versions.current()["comments"] == before["comments"]  # a pending comment is not public
    Comment.objects.filter(pk=pending.pk).update(name="Endret mens den venter")
    assert versions.current()["comments"] == before["comments"]
    comment_withhold(comment=pending, reason="spam")
    assert versions.current()["comments"] == before["comments"]  # never public
    published = make_comment(guide["edition"])
    after_publish = versions.current()["comments"]
    assert after_publish > before["comments"]
    Comment.objects.filter(pk=published.pk).update(name="Navn fjernet")
    assert versions.current()["comments"] > after_publish
    Comment.objects.filter(pk=published.pk).delete()
    assert versions.current()["comments"] > after_publish + 1
    edition = guide["edition"]
    edition.title = "Ny tittel"
    edition.save()
    assert versions.current()["guide"] > before["guide"]


def test_the_round_opening_or_closing_changes_the_key_without_any_write(guide):
    found = versions.current()
    opens = timezone.now()
    alongside = {"round_opens": opens, "round_closes": opens + timedelta(days=1)}
    found = versions.Versions(found.values, alongside)
    assert page_state(found, now=opens - timedelta(seconds=1)).startswith("upcoming:")
    assert page_state(found, now=opens + timedelta(seconds=1)).startswith("open:")
    assert page_state(found, now=opens + timedelta(days=2)).startswith("closed:")


def test_each_language_is_cached_on_its_own(guide, client):
    nb = client.get(URL).content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(URL).content.decode()
    assert '<html lang="nb">' in nb and '<html lang="en">' in en


@pytest.mark.parametrize(
    "query,target",
    [
        ("?x=1", URL),
        ("?utm_source=nyhetsbrev", URL),
    ],
)
def test_unknown_parameters_redirect_to_the_canonical_page(guide, client, query, target):
    response = client.get(URL + query)
    assert (response.status_code, response["Location"]) == (302, target)


def test_comment_list_caches_only_canonical_queries(guide, client):
    from django.core.cache import cache

    import core.cache as page_cache

    _open(guide["edition"])
    make_comment(guide["edition"])
    assert client.get("/kommentarer/?kapittel=ta-stilling").status_code == 200
    assert client.get("/kommentarer/?utfall=accepted").status_code == 200
    cached = len(page_cache._local_pages)
    for n in range(30):
        assert client.get(f"/kommentarer/?kapittel=finnes-ikke-{n}").status_code == 404
        assert client.get(f"/kommentarer/?utfall=tull-{n}").status_code == 404
        response = client.get(f"/kommentarer/?side={n + 2}")
        assert (response.status_code, response["Location"]) == (302, "/kommentarer/")
        assert client.get(f"/kommentarer/?x={n}").status_code == 302
    assert client.get("/kommentarer/?side=1")["Location"] == "/kommentarer/"
    assert client.get("/kommentarer/?kapittel=&utfall=")["Location"] == "/kommentarer/"
    assert len(page_cache._local_pages) == cached
    assert cache.get("nothing") is None  # the shared cache answered all along


def test_errors_are_not_cached(guide, client, django_assert_num_queries):
    client.get("/veileder/finnes-ikke/")
    assert client.get("/veileder/finnes-ikke/").status_code == 404


def test_the_page_cache_can_be_turned_off(guide, client, settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    client.get(URL)
    # No page cache: 1 content versions. The chapter page holds nothing personal and is
    # kept per database state (rendered_once), so nothing else is read.
    with django_assert_num_queries(1):
        response = client.get(URL)
    assert "ETag" not in response
    # The same for the comment list, per canonical query string.
    for query in ("", "?kapittel=ta-stilling"):
        client.get("/kommentarer/" + query)
        with django_assert_num_queries(1):
            client.get("/kommentarer/" + query)
    # Nor is anything served early, before the view: a second answer is rendered again.
    from core.cache import _local_pages

    assert not any(isinstance(page, CachedPage) for page in _local_pages.values())


def test_the_chapter_page_sets_no_cookie_and_holds_no_csrf_token(guide, client):
    _open(guide["edition"])
    response = client.get(URL)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert 'id="inline-comment"' in response.content.decode()


def test_the_inline_form_fragment(guide, client):
    _open(guide["edition"])
    fragment = client.get("/veileder/ta-stilling/del-1/?fragment=form")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert html.lstrip().startswith("<form") and "csrfmiddlewaretoken" in html
    assert "<html" not in html
    # The fragment: a failed submit without JavaScript lands at the error summary.
    assert 'action="/veileder/ta-stilling/del-1/#error-summary"' in html


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


SECURITY_AND_CACHING_HEADERS = [
    "Content-Security-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Content-Language",
    "Content-Type",
    "Content-Length",
    "ETag",
    "Cache-Control",
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_page_served_early_from_the_cache_has_the_same_headers(guide, client, settings, language):
    settings.SECURE_HSTS_SECONDS = 3600
    client.cookies["django_language"] = language
    first = client.get(URL, secure=True)  # rendered by the view, then stored
    second = client.get(URL, secure=True)  # answered by CachedPageMiddleware
    assert second.content == first.content
    assert first.has_header("Strict-Transport-Security")
    for header in SECURITY_AND_CACHING_HEADERS:
        assert second.get(header) == first.get(header), header
    vary = {v.strip() for v in first["Vary"].split(",")}
    assert {v.strip() for v in second["Vary"].split(",")} == vary
    assert vary >= {"Accept-Language", "Cookie"}
    assert second["Content-Language"] == language


def test_the_early_cache_refuses_unknown_hosts(guide, client):
    client.get(URL)
    assert client.get(URL, HTTP_HOST="evil.example").status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HOST": "localhost:31337", "HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https"},
    ],
)
def test_absolute_links_come_from_site_url_whatever_the_request_says(
    guide, client, settings, headers
):
    settings.SITE_URL = "https://innspill.example.no"
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "evil.example"]
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _open(guide["edition"])
    make_comment(guide["edition"])
    for path in [URL, "/kommentarer/", "/feed/kommentarer/", "/feed/versjoner/", "/sitemap.xml"]:
        client.get(path, **headers)  # a poisoned first request fills the cache
        for answer in (client.get(path, **headers), client.get(path)):
            text = answer.content.decode()
            assert "https://innspill.example.no/" in text, path
            assert "localhost:31337" not in text and "evil.example" not in text, path
            assert "testserver" not in text, path
    robots = client.get("/robots.txt", **headers).content.decode()
    assert "Sitemap: https://innspill.example.no/sitemap.xml" in robots
