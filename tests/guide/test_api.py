from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from comments.exports import PUBLIC_FIELDS, row
from comments.models import Comment, Outcome, Status
from comments.services import comment_respond, comment_withhold
from guide.models import Chapter, ChapterKind, Edition, EditionChapter, Section
from guide.services import RoundRequest
from publishing.services import edition_publish
from tests.factories import (
    bulk_comments,
    edit,
    make_chapter,
    make_comment,
    make_section,
    section_of,
)

SITE = "https://innspill.example.no"
API = "/api/v1"
SECTION_FIELDS = ["id", "slug", "heading", "order", "body_html", "text", "url"]
CHAPTER_FIELDS = [
    "id",
    "slug",
    "title",
    "kind",
    "order",
    "organisation",
    "channels",
    "intro_html",
    "url",
    "api_url",
    "sections",
]
# An edition in the list and on its own page: these fields first, then what each adds.
EDITION_FIELDS = ["number", "title", "summary", "published_at", "url", "api_url"]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


# Shape of each endpoint --------------------------------------------------------------


def test_index_names_the_api_and_links_to_every_endpoint(guide, client):
    response = client.get(f"{API}/")
    data = response.json()
    assert (data["name"], data["version"]) == ("Innspill API", "1")
    assert data["docs"] == settings.SITE_URL + "/apne-data/"
    links = data["links"]
    assert links["editions"] == f"{SITE}{API}/editions/"
    assert links["comments"] == f"{SITE}{API}/comments/"
    assert links["edition"] == f"{SITE}{API}/editions/{{number}}/"
    filled = links["edition_chapter"].format(number="0.9", slug="forord")
    for url in [links["editions"], links["comments"], filled]:
        assert client.get(url.removeprefix(SITE)).status_code == 200
    # Lists may change with any decision: a client checks before reusing its copy.
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"public", "max-age=0"}


def test_editions_list_is_newest_first_and_marks_only_the_current_one(guide, client):
    opens = timezone.now()
    closes = opens + timezone.timedelta(days=60)
    edition_publish(number="1.0", title="Versjon 1.0", consultation=RoundRequest(opens, closes))

    response = client.get(f"{API}/editions/")
    data = response.json()
    # Lists may change with any decision: a client checks before reusing its copy.
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"public", "max-age=0"}
    assert [e["number"] for e in data["results"]] == ["1.0", "0.9"]
    assert [e["is_current"] for e in data["results"]] == [True, False]
    newest, oldest = data["results"]
    assert list(newest) == [*EDITION_FIELDS, "comment_opens", "comment_closes", "is_current"]
    assert oldest["title"] == "Testversjon for høring"
    assert oldest["summary"] == "Første."
    assert oldest["url"] == f"{SITE}/versjoner/0.9/"
    assert oldest["api_url"] == f"{SITE}{API}/editions/0.9/"
    assert oldest["comment_opens"] is None and oldest["comment_closes"] is None
    published = Edition.objects.get(number="0.9").published_at
    assert oldest["published_at"] == timezone.localtime(published).isoformat(timespec="seconds")
    assert newest["comment_closes"] == timezone.localtime(closes).isoformat(timespec="seconds")


def test_is_current_is_only_on_the_first_row_of_the_first_page(guide, client):
    edition_publish(number="1.0", title="Versjon 1.0")
    first = client.get(f"{API}/editions/", {"page_size": 1}).json()
    second = client.get(f"{API}/editions/", {"page_size": 1, "page": 2}).json()
    assert [(e["number"], e["is_current"]) for e in first["results"]] == [("1.0", True)]
    assert [(e["number"], e["is_current"]) for e in second["results"]] == [("0.9", False)]


def test_an_edition_has_its_chapters_and_case_studies_with_their_sections(guide, client):
    response = client.get(f"{API}/editions/0.9/")
    data = response.json()
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"]
    assert list(data) == [*EDITION_FIELDS, "chapters", "case_studies"]
    assert [c["slug"] for c in data["chapters"]] == ["forord", "ta-stilling"]
    assert [c["slug"] for c in data["case_studies"]] == ["lanekassa"]

    chapter = data["chapters"][1]
    draft = Chapter.objects.get(slug="ta-stilling")
    assert list(chapter) == CHAPTER_FIELDS
    assert chapter["id"] == draft.pk
    assert (chapter["title"], chapter["kind"]) == ("Ta stilling", "chapter")
    assert chapter["order"] > data["chapters"][0]["order"]
    assert chapter["intro_html"] == "<p>Innledning til kapittelet.</p>"
    assert chapter["url"] == f"{SITE}/versjoner/0.9/ta-stilling/"
    assert chapter["api_url"] == f"{SITE}{API}/editions/0.9/chapters/ta-stilling/"
    assert [s["slug"] for s in chapter["sections"]] == ["del-1", "del-2", "del-3"]

    section = chapter["sections"][0]
    assert list(section) == SECTION_FIELDS
    assert section["id"] == draft.sections.get(slug="del-1").pk
    assert (section["heading"], section["order"]) == ("Del 1", 1)
    assert section["body_html"].startswith("<p>Tekst i del")
    assert section["text"].startswith("Tekst i del") and "<p>" not in section["text"]
    assert section["url"] == f"{SITE}/versjoner/0.9/ta-stilling/#del-1"

    case = data["case_studies"][0]
    assert (case["kind"], case["organisation"]) == ("case", "Lånekassa")
    assert case["channels"] == ["Facebook", "Twitter"]
    assert case["url"] == f"{SITE}/versjoner/0.9/lanekassa/"
    # Every URL it gives answers.
    assert client.get(chapter["url"].removeprefix(SITE)).status_code == 200
    assert client.get(case["url"].removeprefix(SITE)).status_code == 200


def test_an_edition_says_nothing_that_changes_later(guide, client):
    raw = client.get(f"{API}/editions/0.9/").content.decode()
    for word in ["is_current", "current", "comment_count", "comments", "comment_closes"]:
        assert f'"{word}' not in raw


def test_a_chapter_of_an_edition_has_the_same_shape_and_its_edition(guide, client):
    whole = client.get(f"{API}/editions/0.9/").json()
    response = client.get(f"{API}/editions/0.9/chapters/lanekassa/")
    data = response.json()
    assert response["Cache-Control"] == "public, max-age=86400"
    assert data.pop("edition") == {k: v for k, v in whole.items() if not k.endswith("s")}
    assert data == whole["case_studies"][0]


def test_json_is_utf8_not_escaped(guide, client):
    raw = client.get(f"{API}/editions/0.9/chapters/lanekassa/").content
    assert "Lånekassa".encode() in raw
    assert b"\\u00e5" not in raw


# Stability ---------------------------------------------------------------------------


def test_an_old_edition_answers_byte_for_byte_the_same_after_newer_editions(
    open_guide,  # noqa: F811
    client,
):
    urls = [
        f"{API}/editions/0.9/",
        f"{API}/editions/0.9/chapters/ta-stilling/",
        f"{API}/editions/0.9/chapters/lanekassa/",
    ]
    make_comment(open_guide["edition"])
    before = {url: client.get(url) for url in urls}

    # Rename, rewrite, reorder, remove and add, comment again, then publish twice.
    chapter = Chapter.objects.get(slug="ta-stilling")
    section = chapter.sections.get(slug="del-1")
    edit(section, slug="ny-del", heading="Ny overskrift", body="Helt ny tekst.", order=9)
    edit(chapter, slug="ta-stilling-na", title="Ta stilling nå")
    edit(Chapter.objects.get(slug="forord"), is_active=False)
    make_chapter(slug="nytt", title="Nytt kapittel")
    edition_publish(number="1.0", title="Versjon 1.0", summary="Endret.")
    make_comment(open_guide["edition"], body="Enda en kommentar om denne teksten.")
    edit(Edition.objects.get(number="0.9"), comment_closes=timezone.now())
    edition_publish(number="1.1", title="Versjon 1.1")

    for url in urls:
        after = client.get(url)
        assert after.content == before[url].content
        assert after["ETag"] == before[url]["ETag"]

    # The new edition has the changes, under the same ids.
    new = client.get(f"{API}/editions/1.0/chapters/ta-stilling-na/").json()
    assert new["id"] == chapter.pk
    moved = next(s for s in new["sections"] if s["id"] == section.pk)
    assert (moved["slug"], moved["heading"]) == ("ny-del", "Ny overskrift")
    assert moved["url"] == f"{SITE}/versjoner/1.0/ta-stilling-na/#ny-del"
    assert client.get(f"{API}/editions/1.0/chapters/forord/").status_code == 404


def test_draft_only_chapters_and_unpublished_text_never_appear(guide, client):
    make_chapter(slug="utkast", title="Hemmelig utkast")
    make_chapter(slug="ute", title="Tatt ut", is_active=False)
    section = Section.objects.get(chapter__slug="forord", slug="del-1")
    edit(section, heading="Upublisert overskrift", body="Upublisert tekst.")
    make_section(Chapter.objects.get(slug="forord"), slug="ny", heading="Upublisert del")

    raw = b"".join(
        client.get(url).content
        for url in [
            f"{API}/editions/",
            f"{API}/editions/0.9/",
            f"{API}/editions/0.9/chapters/forord/",
        ]
    ).decode()
    for text in ["utkast", "Hemmelig", "Tatt ut", "Upublisert"]:
        assert text not in raw
    assert client.get(f"{API}/editions/0.9/chapters/utkast/").status_code == 404


# Comments ----------------------------------------------------------------------------


def test_only_published_comments_appear_and_never_private_fields(
    open_guide,  # noqa: F401, F811
    client,
):
    edition = open_guide["edition"]
    shown = make_comment(edition, email="synlig@example.no", organisation="Eksempel kommune")
    make_comment(edition, published=False, email="venter@example.no", body="Venter på svar.")
    withheld = make_comment(edition, email="holdt@example.no", body="Holdes tilbake nå.")
    comment_withhold(comment=withheld, reason="spam")
    hidden = make_comment(edition, email="skjult@example.no", body="Skjult etter rapporter.")
    Comment.objects.filter(pk=hidden.pk).update(hidden_by_reports=True)
    Comment.objects.filter(pk=shown.pk).update(client_hash="hemmelig-hash", language="nn")

    response = client.get(f"{API}/comments/")
    data = response.json()
    # Lists may change with any decision: a client checks before reusing its copy.
    cache_control = set(response["Cache-Control"].replace(" ", "").split(","))
    assert cache_control == {"public", "max-age=0", "no-cache"}
    assert [c["id"] for c in data["results"]] == [shown.pk]
    assert list(data["results"][0]) == [*PUBLIC_FIELDS, "section_id", "chapter_id"]
    raw = response.content
    for secret in [b"@example.no", b"hemmelig-hash", b"Venter", b"Holdes", b"Skjult", b"spam"]:
        assert secret not in raw
    for key in ["email", "status", "withheld_reason", "language", "client_hash"]:
        assert key not in data["results"][0]


def test_a_comment_is_its_open_data_row_with_stable_ids(open_guide, client):  # noqa: F811
    comment = make_comment(open_guide["edition"], quote="noe om formålet")
    comment_respond(comment=comment, outcome=Outcome.ACCEPTED, response="Vi endrer teksten.")
    comment.refresh_from_db()

    result = client.get(f"{API}/comments/").json()["results"][0]
    section = section_of(open_guide["edition"])
    expected = {
        **row(comment, staff=False),
        "section_id": section.section_id,
        "chapter_id": Chapter.objects.get(slug="ta-stilling").pk,
    }
    assert result == json.loads(json.dumps(expected))
    assert result["url"] == f"{SITE}/kommentarer/{comment.pk}/"
    assert (result["outcome"], result["response"]) == ("accepted", "Vi endrer teksten.")


def test_comments_are_oldest_first(open_guide, client):  # noqa: F811
    first = make_comment(open_guide["edition"], body="Den første kommentaren.")
    second = make_comment(open_guide["edition"], body="Den andre kommentaren.")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now())
    ids = [c["id"] for c in client.get(f"{API}/comments/").json()["results"]]
    assert ids == [second.pk, first.pk]


def test_comments_filter_by_edition_chapter_section_and_outcome(open_guide, client):  # noqa: F811
    old = open_guide["edition"]
    on_first = make_comment(old, edition_section=section_of(old, "ta-stilling", "del-1"))
    on_second = make_comment(old, edition_section=section_of(old, "ta-stilling", "del-2"))
    on_other = make_comment(old, edition_section=section_of(old, "forord", "del-1"))
    comment_respond(comment=on_other, outcome=Outcome.DECLINED)
    edition_publish(number="1.0", title="Versjon 1.0")
    new = Edition.objects.get(number="1.0")
    on_new = make_comment(new, edition_section=section_of(new, "ta-stilling", "del-1"))
    ta_stilling = Chapter.objects.get(slug="ta-stilling")
    del_1 = ta_stilling.sections.get(slug="del-1")

    def ids(**params) -> list[int]:
        return [c["id"] for c in _get(client, f"{API}/comments/", **params)["results"]]

    assert ids(edition="0.9") == [on_first.pk, on_second.pk, on_other.pk]
    assert ids(edition="1.0") == [on_new.pk]
    assert ids(edition="7.0") == []
    assert ids(chapter=ta_stilling.pk) == [on_first.pk, on_second.pk, on_new.pk]
    assert ids(section=del_1.pk) == [on_first.pk, on_new.pk]
    assert ids(section=del_1.pk, edition="1.0") == [on_new.pk]
    assert ids(outcome="declined") == [on_other.pk]
    assert ids(outcome="open", chapter=ta_stilling.pk, edition="0.9") == [
        on_first.pk,
        on_second.pk,
    ]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("edition", "abc"),
        ("edition", ""),
        ("chapter", "x"),
        ("chapter", "0"),
        ("chapter", "-1"),
        ("section", "1.5"),
        ("section", "٣"),
        ("outcome", "maybe"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_parameter(guide, client, parameter, value):
    data = _get(client, f"{API}/comments/", 400, **{parameter: value})
    assert data["parameter"] == parameter
    assert data["error"].startswith(f"{parameter} must be")


def test_outcome_error_lists_the_allowed_values(guide, client):
    data = _get(client, f"{API}/comments/", 400, outcome="ja")
    assert data["error"] == (
        "outcome must be one of open, accepted, partly, declined, noted, out_of_scope"
    )


# Pagination --------------------------------------------------------------------------


def test_numbered_pages_link_to_each_other_keeping_the_filters(open_guide, client):  # noqa: F811
    # Asked for by number, the comment list still links by number (the cursors below are
    # what its links use otherwise).
    edition = open_guide["edition"]
    made = [make_comment(edition, body=f"Kommentar nummer {n} her.") for n in range(5)]
    url = f"{API}/comments/"

    first = _get(client, url, edition="0.9", page_size=2, page=1)
    assert (first["count"], first["page"], first["page_size"]) == (5, 1, 2)
    assert first["previous"] is None
    assert first["next"] == f"{SITE}{url}?edition=0.9&page_size=2&page=2"
    assert [c["id"] for c in first["results"]] == [c.pk for c in made[:2]]

    second = client.get(first["next"].removeprefix(SITE)).json()
    assert second["previous"] == f"{SITE}{url}?edition=0.9&page_size=2&page=1"
    assert [c["id"] for c in second["results"]] == [c.pk for c in made[2:4]]

    last = _get(client, url, edition="0.9", page_size=2, page=3)
    assert last["next"] is None
    assert [c["id"] for c in last["results"]] == [made[4].pk]


def _ids(data) -> list[int]:
    return [c["id"] for c in data["results"]]


def _follow(client, link: str | None):
    assert link is not None and link.startswith(SITE)
    return _get(client, link.removeprefix(SITE))


def test_comment_pages_link_by_cursor_forwards_and_back_keeping_the_filters(
    open_guide,  # noqa: F811
    client,
):
    edition = open_guide["edition"]
    made = [make_comment(edition, body=f"Kommentar nummer {n} her.") for n in range(5)]
    make_comment(edition, edition_section=section_of(edition, "forord"), body="Et annet sted.")
    url = f"{API}/comments/"

    first = _get(client, url, chapter=Chapter.objects.get(slug="ta-stilling").pk, page_size=2)
    assert (first["count"], first["page"], first["page_size"], first["previous"]) == (5, 1, 2, None)
    assert _ids(first) == [c.pk for c in made[:2]]
    assert "chapter=" in first["next"] and "page_size=2" in first["next"]
    assert "&after=" in first["next"] and "page=" not in first["next"]

    second = _follow(client, first["next"])
    assert (second["count"], second["page"]) == (5, None)  # no number after a cursor
    assert _ids(second) == [c.pk for c in made[2:4]]
    third = _follow(client, second["next"])
    assert _ids(third) == [made[4].pk]
    assert third["next"] is None

    back = _follow(client, third["previous"])
    assert "&before=" in third["previous"]
    assert _ids(back) == [c.pk for c in made[2:4]]
    start = _follow(client, back["previous"])
    assert _ids(start) == [c.pk for c in made[:2]]
    assert start["previous"] is None  # nothing before it
    assert _ids(_follow(client, start["next"])) == [c.pk for c in made[2:4]]


def test_comments_made_at_the_same_moment_are_neither_skipped_nor_repeated(
    open_guide,  # noqa: F811
    client,
):
    edition = open_guide["edition"]
    made = [make_comment(edition, body=f"Kommentar nummer {n} her.") for n in range(7)]
    Comment.objects.update(created_at=timezone.now())
    seen, data = [], _get(client, f"{API}/comments/", page_size=3)
    while True:
        seen += _ids(data)
        if data["next"] is None:
            break
        data = _follow(client, data["next"])
    assert seen == [c.pk for c in made]


def test_a_cursor_survives_its_comment_being_withheld(open_guide, client):  # noqa: F811
    edition = open_guide["edition"]
    made = [make_comment(edition, body=f"Kommentar nummer {n} her.") for n in range(4)]
    first = _get(client, f"{API}/comments/", page_size=2)
    comment_withhold(comment=made[1], reason="spam")  # the row the cursor points after
    second = _follow(client, first["next"])
    assert _ids(second) == [made[2].pk, made[3].pk]
    assert second["count"] == 3  # a new database state: counted again


def test_an_empty_page_after_a_cursor_links_back_to_the_rows_before_it(
    open_guide,  # noqa: F811
    client,
):
    edition = open_guide["edition"]
    made = [make_comment(edition, body=f"Kommentar nummer {n} her.") for n in range(3)]
    first = _get(client, f"{API}/comments/", page_size=2)
    comment_withhold(comment=made[2], reason="spam")
    empty = _follow(client, first["next"])
    assert (_ids(empty), empty["next"]) == ([], None)
    assert _ids(_follow(client, empty["previous"])) == [made[0].pk, made[1].pk]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"after": "abc"}, "after"),
        ({"before": ""}, "before"),
        ({"after": "WzEsMl0:forfalsket"}, "after"),
        ({"after": "x", "before": "y"}, "before"),
        ({"after": "x", "page": "1"}, "page"),
    ],
)
def test_a_bad_cursor_is_a_400_saying_what_to_do(open_guide, client, params, parameter):  # noqa: F811
    make_comment(open_guide["edition"])
    data = _get(client, f"{API}/comments/", 400, **params)
    assert data["parameter"] == parameter
    assert data["error"].startswith(f"{parameter} ")


def test_a_forged_cursor_is_refused(open_guide, client):  # noqa: F811
    from django.core import signing

    make_comment(open_guide["edition"])
    made_up = signing.Signer(salt="another.purpose").sign_object([0, 1])
    data = _get(client, f"{API}/comments/", 400, after=made_up)
    assert data["error"] == (
        "after must be a cursor from this API's next or previous link; this one is not "
        "valid (any more). Start again from the first page."
    )


def test_default_page_size_is_50(open_guide, client):  # noqa: F811
    data = _get(client, f"{API}/comments/")
    assert (data["count"], data["page"], data["page_size"]) == (0, 1, 50)
    assert (data["next"], data["previous"], data["results"]) == (None, None, [])


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"page": "4"}, "page must be a whole number from 1 to 3"),
        ({"page": "0"}, "page must be a whole number from 1 to 3"),
        ({"page": "-1"}, "page must be a whole number from 1 to 3"),
        ({"page": "abc"}, "page must be a whole number from 1 to 3"),
        ({"page": "1.0"}, "page must be a whole number from 1 to 3"),
        ({"page_size": "0"}, "page_size must be a whole number from 1 to 200"),
        ({"page_size": "201"}, "page_size must be a whole number from 1 to 200"),
        ({"page_size": "all"}, "page_size must be a whole number from 1 to 200"),
    ],
)
def test_bad_pages_are_a_400_with_a_clear_message(guide, client, params, error):
    for number in ["1.0", "1.1"]:
        edition_publish(number=number, title=f"Versjon {number}")
    data = _get(client, f"{API}/editions/", 400, **{"page_size": "1", **params})
    assert data == {"error": error, "parameter": next(iter(params))}


def test_an_empty_list_has_one_page(db, client):
    assert _get(client, f"{API}/editions/")["results"] == []
    data = _get(client, f"{API}/editions/", 400, page=2)
    assert data["error"] == "page must be a whole number from 1 to 1"


# Errors, methods, caching ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (f"{API}/editions/7.0/", "There is no edition 7.0."),
        (f"{API}/editions/7.0/chapters/forord/", "There is no edition 7.0."),
        (f"{API}/editions/0.9/chapters/finnes-ikke/", "Edition 0.9 has no chapter “finnes-ikke”."),
    ],
)
def test_missing_things_are_a_json_404(guide, client, url, error):
    response = client.get(url)
    assert response.json() == {"error": error}
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("ETag")


@pytest.mark.parametrize("url", [f"{API}/nothing/", f"{API}/editions/abc/", f"{API}/a/b/"])
def test_unknown_api_addresses_are_a_json_404(guide, client, url):
    data = _get(client, url, 404)
    assert data["error"].startswith("There is nothing at this address.")


API_URLS = [
    f"{API}/",
    f"{API}/editions/",
    f"{API}/editions/0.9/",
    f"{API}/editions/0.9/chapters/forord/",
    f"{API}/comments/",
]


@pytest.mark.parametrize("url", [*API_URLS, f"{API}/no/such/thing/"])
def test_only_get_and_head_are_allowed(guide, url):
    # A real client sends no CSRF token: the test client must check it as Django would.
    client = Client(enforce_csrf_checks=True)
    if not url.endswith("/thing/"):
        assert client.head(url).status_code == 200
        assert client.head(url)["Access-Control-Allow-Origin"] == "*"
    for method in [client.post, client.put, client.patch, client.delete]:
        response = method(url, data="{}", content_type="application/json")
        assert response.status_code == 405
        assert response.json() == {"error": "Only GET, HEAD are allowed here."}
        assert response["Allow"] == "GET, HEAD"
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url", [f"{API}/editions/0.9/", f"{API}/editions/0.9/chapters/ta-stilling/"]
)
def test_an_edition_etag_gives_304_when_nothing_changed(guide, client, url):
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=86400"
    assert again["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_each_edition_has_its_own_etag(guide, client):
    edition_publish(number="1.0", title="Versjon 1.0")
    old = client.get(f"{API}/editions/0.9/")["ETag"]
    new = client.get(f"{API}/editions/1.0/")["ETag"]
    assert old != new
    assert client.get(f"{API}/editions/1.0/", headers={"if-none-match": old}).status_code == 200


def test_a_new_site_address_changes_the_etag(guide, client, settings):
    before = client.get(f"{API}/editions/0.9/")["ETag"]
    settings.SITE_URL = "https://ny.example.no"
    response = client.get(f"{API}/editions/0.9/", headers={"if-none-match": before})
    assert response.status_code == 200
    assert b"https://ny.example.no/versjoner/0.9/" in response.content


# Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_editions_list_query_count_is_fixed(db, client, count, django_assert_num_queries):
    make_chapter(sections=1)
    for n in range(1, count + 1):
        edition_publish(number=f"{n}.0", title=f"Versjon {n}")
    # 1 count the editions, 2 the page of editions.
    with django_assert_num_queries(2):
        data = _get(client, f"{API}/editions/")
    assert data["count"] == count


@pytest.mark.parametrize("sections", [2, 40])
def test_edition_query_counts_are_fixed(db, client, sections, django_assert_num_queries):
    chapter = make_chapter(slug="stort", sections=0)
    for i in range(sections):
        make_section(chapter, slug=f"s-{i}", heading=f"S {i}", order=i)
    make_chapter(kind=ChapterKind.CASE, slug="eksempel", sections=sections)
    edition_publish(number="0.9", title="Test")
    assert EditionChapter.objects.count() == 2

    # 1 the edition (for its ETag, reused by the view), 2 its chapters, 3 their sections.
    with django_assert_num_queries(3):
        data = _get(client, f"{API}/editions/0.9/")
    assert len(data["chapters"][0]["sections"]) == sections
    # 1 the chapter with its edition (for the ETag, reused by the view), 2 its sections.
    with django_assert_num_queries(2):
        data = _get(client, f"{API}/editions/0.9/chapters/stort/")
    assert len(data["sections"]) == sections
    # A revalidation: 1 the edition, for the ETag; then 304 without building anything.
    etag = client.get(f"{API}/editions/0.9/")["ETag"]
    with django_assert_num_queries(1):
        response = client.get(f"{API}/editions/0.9/", headers={"if-none-match": etag})
    assert response.status_code == 304


@pytest.mark.parametrize("count", [0, 200])
def test_comments_list_query_count_is_fixed(
    open_guide,  # noqa: F811
    client,
    count,
    django_assert_num_queries,
):
    edition = open_guide["edition"]
    bulk_comments(
        section_of(edition),
        count,
        email="person@example.no",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        addressed_in_edition=edition,
    )
    # 1 content versions (the page cache's key), 2 count the comments, 3 a page of them
    # with their section, chapter and editions. An empty list skips 3.
    with django_assert_num_queries(3 if count else 2):
        data = _get(client, f"{API}/comments/", page_size=200)
    assert len(data["results"]) == count
    assert b"@example.no" not in json.dumps(data).encode()
    # The count is kept per database state: another page of the same list costs
    # 1 content versions, 2 the page.
    with django_assert_num_queries(2 if count else 1):
        data = _get(client, f"{API}/comments/", page_size=100)
    assert data["count"] == count


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_api_page_explains_cursors_in_every_language(db, client, language):
    html = client.get("/apne-data/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "<code>after</code>" in html and "<code>before</code>" in html
    assert "<code>next</code>" in html and "<code>page</code>" in html
