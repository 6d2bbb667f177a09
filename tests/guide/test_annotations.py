"""Published comments as W3C Web Annotations (JSON-LD)."""

from __future__ import annotations

import json

import pytest

from comments.models import Status
from public.annotations import ANNO_CONTEXT
from tests.factories import make_comment, section_of

LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://innspill.example.no"


@pytest.fixture
def comments(guide):
    edition = guide["edition"]
    quoted = make_comment(
        edition,
        name="Kari Nordmann",
        email="kari@example.no",
        organisation="Eksempel kommune",
        body="Denne setningen er vanskelig å forstå for innbyggere.",
        quote="Tekst i del",
        quote_suffix=" 3. Her",
    )
    plain = make_comment(
        edition, name="Ola", email="ola@example.no", body="En kommentar uten sitat her."
    )
    quoted.outcome = "accepted"
    quoted.outcome_explanation = "Vi har skrevet setningen om."
    quoted.response = "Takk, vi endrer teksten."
    quoted.save()
    pending = make_comment(edition, published=False, body="Venter på moderering ennå.")
    withheld = make_comment(edition, published=False, body="Holdt tilbake av moderator.")
    withheld.status, withheld.withheld_reason = Status.WITHHELD, "spam"
    withheld.save()
    reply = make_comment(edition, parent=quoted, body="Et svar fra en annen leser.")
    return {"quoted": quoted, "plain": plain, "hidden": [pending, withheld], "reply": reply}


def _assert_w3c(annotation: dict) -> None:
    """The W3C Web Annotation model's required parts, as the issue lists them."""
    assert annotation["id"].startswith("https://innspill.example.no/api/v1/annotations/")
    assert annotation["type"] == "Annotation"
    assert annotation["target"]["source"].startswith("https://innspill.example.no/versjoner/")
    assert annotation["target"]["selector"]["type"] in {"TextQuoteSelector", "FragmentSelector"}
    for body in annotation["body"]:
        assert body["type"] == "TextualBody" and body["value"]


def test_annotation_list_is_w3c_json_ld_of_published_comments_only(
    comments, client, django_assert_num_queries
):
    # 1 count, 2 the page with its sections, chapters and editions.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/annotations/")
    assert response.status_code == 200
    assert response["Content-Type"] == LD
    data = response.json()
    assert data["@context"] == ANNO_CONTEXT
    assert data["type"] == "AnnotationPage"
    assert data["partOf"]["total"] == 2
    ids = {item["id"] for item in data["items"]}
    assert ids == {
        f"https://innspill.example.no/api/v1/annotations/{comments[k].pk}/"
        for k in ("quoted", "plain")
    }
    for item in data["items"]:
        _assert_w3c(item)
    text = response.content.decode()
    assert "@" not in text.replace("@context", "")  # no e-mail address anywhere
    for hidden in comments["hidden"]:
        assert hidden.body not in text


def test_a_single_annotation_has_quote_outcome_and_response(comments, client):
    quoted = comments["quoted"]
    response = client.get(f"/api/v1/annotations/{quoted.pk}/")
    assert response["Content-Type"] == LD
    data = response.json()
    assert data["@context"] == ANNO_CONTEXT
    _assert_w3c(data)
    section = section_of(quoted.edition_section.edition)
    assert data["target"]["source"] == (
        f"https://innspill.example.no/versjoner/0.9/ta-stilling/#{section.slug}"
    )
    assert data["target"]["selector"] == {
        "type": "TextQuoteSelector",
        "exact": "Tekst i del",
        "prefix": quoted.quote_prefix,
        "suffix": quoted.quote_suffix,
    }
    assert data["creator"][0] == {"type": "Person", "name": "Kari Nordmann"}
    assert data["creator"][1]["name"] == "Eksempel kommune"
    purposes = {body["purpose"]: body["value"] for body in data["body"]}
    assert purposes["commenting"] == quoted.body
    assert purposes["assessing"] == "Tatt til følge. Vi har skrevet setningen om."
    assert purposes["replying"] == "Takk, vi endrer teksten."
    assert data["created"]
    assert "kari@example.no" not in json.dumps(data)


def test_unquoted_comment_targets_its_section(comments, client):
    data = client.get(f"/api/v1/annotations/{comments['plain'].pk}/").json()
    _assert_w3c(data)
    assert data["target"]["selector"]["type"] == "FragmentSelector"


def test_hidden_comments_and_replies_are_not_annotations(comments, client):
    for comment in [*comments["hidden"], comments["reply"]]:
        response = client.get(f"/api/v1/annotations/{comment.pk}/")
        assert response.status_code == 404
        assert response.json()["error"]


def test_annotations_filter_like_the_comment_list(comments, client):
    data = client.get("/api/v1/annotations/?outcome=accepted").json()
    assert [item["id"] for item in data["items"]] == [
        f"https://innspill.example.no/api/v1/annotations/{comments['quoted'].pk}/"
    ]
    assert client.get("/api/v1/annotations/?edition=9.9").json()["partOf"]["total"] == 0
    assert client.get("/api/v1/annotations/?outcome=nonsense").status_code == 400
    page = client.get("/api/v1/annotations/?page_size=1").json()
    assert len(page["items"]) == 1 and page["next"].endswith("page=2")


def test_plain_json_when_asked_for(comments, client):
    response = client.get("/api/v1/annotations/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    response = client.get("/api/v1/annotations/", HTTP_ACCEPT="application/ld+json")
    assert response["Content-Type"] == LD


def test_annotations_are_listed_in_the_api_index_and_on_the_api_page(guide, client):
    links = client.get("/api/v1/").json()["links"]
    assert links["annotations"] == "https://innspill.example.no/api/v1/annotations/"
    assert "/api/v1/annotations/" in client.get("/apne-data/").content.decode()
