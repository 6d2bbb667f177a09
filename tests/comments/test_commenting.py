from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from comments.models import AnchorState, Comment, Status
from tests.factories import VALID, make_comment, section_of

URL = "/veileder/ta-stilling/del-1/"


def test_a_comment_is_stored_pending_and_the_receipt_shows_what_was_sent(open_guide, client):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert (comment.name, comment.organisation, comment.email) == (
        "Ola Nordmann",
        "Eksempel kommune",
        "ola@example.no",
    )
    assert comment.section == comment.edition_section.section
    assert comment.edition_section.edition == open_guide["edition"]
    assert comment.language == "nb"
    assert len(comment.client_hash) == 64

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert VALID["body"] in html
    assert "ola@example.no" not in html
    assert receipt["Cache-Control"] == "private, no-store"


def test_the_receipt_link_cannot_be_forged(open_guide, client):
    from django.core import signing

    from comments.receipts import RECEIPT_SALT, receipt_url

    comment = make_comment(open_guide["edition"], published=False)
    genuine = receipt_url(comment)
    assert client.get(genuine).status_code == 200
    token = genuine.rstrip("/").rsplit("/", 1)[1]
    forged = [
        "1",
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
        signing.dumps(comment.pk, salt="another.purpose"),  # signed for something else
        signing.dumps(comment.pk, salt=RECEIPT_SALT, key="not-the-secret-key-" + "x" * 40),
    ]
    for attempt in forged:
        assert client.get(f"/kommentarer/kvittering/{attempt}/").status_code == 404, attempt


def test_a_receipt_email_goes_out_in_the_language_of_the_comment(open_guide, client):
    client.cookies["django_language"] = "nn"
    client.post(URL, VALID)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ola@example.no"]
    assert "Takk for kommentaren din" in message.body  # nynorsk
    assert Comment.objects.get().language == "nn"
    client.cookies["django_language"] = "en"
    client.post(URL, {**VALID, "body": "A second comment in English."})
    assert mail.outbox[1].subject == "We have received your comment"
    assert mail.outbox[0].subject != mail.outbox[1].subject


def test_no_receipt_email_without_an_address(open_guide, client):
    client.post(URL, {**VALID, "email": ""})
    assert Comment.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "\u200b\u200c\u200d\u2060\ufeff"),  # zero-width only
        ("name", "\u202e\u2066\u200f \u202c"),  # bidi overrides, isolates and marks only
        ("body", ""),
        ("body", "For kort"),
        ("body", "x" * 5001),
        ("body", "Nul\x00tegn i teksten her"),
        ("email", "ikke-en-adresse"),
        ("quote", "Dette står ikke i teksten i det hele tatt"),
        ("quote", "y" * 1001),
        ("name", "n" * 101),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored_or_lost(open_guide, client, field, value):
    data = {**VALID, field: value}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    # Everything else the person wrote is still there.
    kept = [name for name in ("name", "organisation", "email", "body") if name != field]
    for name in kept:
        assert VALID[name] in html, name
    assert mail.outbox == []


def test_names_and_organisations_lose_invisible_format_characters(open_guide, client):
    data = {
        **VALID,
        "name": "Ola\u200b Nord\u202emann\u202c",
        "organisation": "\u2066Eksempel\u2069 kom\u00admune",
    }
    assert client.post(URL, data).status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.organisation) == ("Ola Nordmann", "Eksempel kommune")


def test_a_zero_width_name_gets_the_usual_message(open_guide, client):
    response = client.post(URL, {**VALID, "name": "\u200b\u200b"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Skriv navnet ditt. Det vises sammen med kommentaren."
    ]


def test_a_quote_found_in_the_text_is_stored_with_its_context(open_guide, client):
    edition_section = section_of(open_guide["edition"])
    response = client.post(URL, {**VALID, "quote": "noe om   formålet"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.quote == "noe om formålet"
    assert comment.quote_prefix.endswith("Her står det ")
    assert comment.quote_suffix == "."
    assert comment.anchor_state == AnchorState.EXACT
    assert comment.anchor_edition_id == edition_section.edition_id


def test_pending_and_withheld_comments_are_not_public(open_guide, client):
    pending = make_comment(open_guide["edition"], published=False, body="Ventende kommentar her.")
    withheld = make_comment(open_guide["edition"], body="Holdt tilbake kommentar.")
    withheld.status, withheld.withheld_reason = Status.WITHHELD, "spam"
    withheld.save()
    for url in [URL, "/kommentarer/", "/veileder/ta-stilling/"]:
        html = client.get(url).content.decode()
        assert "Ventende kommentar" not in html and "Holdt tilbake" not in html
    assert client.get(f"/kommentarer/{pending.pk}/").status_code == 404
    assert client.get(f"/kommentarer/{withheld.pk}/").status_code == 404


def test_published_comments_show_under_their_section_with_counts(open_guide, client):
    make_comment(open_guide["edition"], body="Første publiserte kommentar.")
    make_comment(open_guide["edition"], body="Andre publiserte kommentar.")
    html = client.get(URL).content.decode()
    assert "Første publiserte kommentar." in html and "Andre publiserte kommentar." in html
    chapter = client.get("/veileder/ta-stilling/").content.decode()
    assert "(2 kommentarer)" in chapter
    listing = client.get("/kommentarer/").content.decode()
    assert "Første publiserte kommentar." in listing


def test_comment_text_is_never_rendered_as_html(open_guide, client):
    comment = make_comment(
        open_guide["edition"],
        name="<b>Navn</b>",
        body="<script>alert(1)</script> og <img src=x onerror=alert(1)>",
        quote="noe om formålet",
    )
    for url in [URL, "/kommentarer/", comment.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Navn</b>" not in html


def test_no_email_address_appears_in_any_public_response(open_guide, client):
    comment = make_comment(open_guide["edition"], email="hemmelig.adresse@example.no")
    reply = make_comment(open_guide["edition"], parent=comment, email="svar.adresse@example.no")
    urls = [
        "/",
        "/veileder/",
        "/veileder/ta-stilling/",
        URL,
        "/kommentarer/",
        comment.get_absolute_url(),
        reply.get_absolute_url(),
        f"/kommentarer/{comment.pk}/rapporter/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "hemmelig.adresse" not in html and "svar.adresse" not in html, url


@pytest.mark.parametrize(("opens", "closes"), [(1, 30), (-30, -1)])
def test_outside_the_period_the_form_is_replaced_and_posts_are_refused(
    open_guide, client, opens, closes
):
    edition = open_guide["edition"]
    edition.comment_opens = timezone.now() + timedelta(days=opens)
    edition.comment_closes = timezone.now() + timedelta(days=closes)
    edition.save()
    page = client.get(URL).content.decode()
    assert 'class="comment-form"' not in page and "period--" in page
    response = client.post(URL, VALID)
    assert response.status_code == 403
    assert Comment.objects.count() == 0
    assert mail.outbox == []
    chapter = client.get("/veileder/ta-stilling/").content.decode()
    assert "inline-comment" not in chapter


def test_an_edition_without_a_period_takes_no_comments(guide, client):
    assert client.post(URL, VALID).status_code == 403
    assert Comment.objects.count() == 0


def test_rate_limit_refuses_and_keeps_the_text(open_guide, client, settings):
    settings.COMMENT_RATE_LIMIT = ((2, 60),)
    for n in range(2):
        assert client.post(URL, {**VALID, "body": f"Kommentar nummer {n} her."}).status_code == 302
    response = client.post(URL, {**VALID, "body": "Den tredje kommentaren."})
    assert response.status_code == 429
    assert "Den tredje kommentaren." in response.content.decode()
    assert Comment.objects.count() == 2
    # Another client is not affected.
    other = client.post(URL, {**VALID, "body": "Fra en annen maskin."}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_rate_limit_off_accepts_everything(open_guide, client, settings):
    settings.COMMENT_RATE_LIMIT = ()
    for n in range(12):
        assert client.post(URL, {**VALID, "body": f"Kommentar nummer {n} her."}).status_code == 302
    assert Comment.objects.count() == 12


def test_trusted_proxy_count_picks_the_client_address(settings, rf):
    from core.client import client_address

    def address(forwarded: str) -> str:
        return client_address(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded))

    settings.TRUSTED_PROXY_COUNT = 0
    assert address("203.0.113.9, 198.51.100.2") == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; anything to its left may be forged.
    assert address("203.0.113.9, 198.51.100.2") == "198.51.100.2"
    assert address("1.2.3.4, 198.51.100.2") == "198.51.100.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("203.0.113.9, 198.51.100.2") == "203.0.113.9"
    assert address("") == "10.0.0.1"


def test_three_reports_from_different_clients_hide_a_comment(open_guide, client):
    comment = make_comment(open_guide["edition"], body="Omstridt kommentar her.")
    url = f"/kommentarer/{comment.pk}/rapporter/"
    assert client.get(url).status_code == 200
    for address in ["10.0.0.1", "10.0.0.1", "10.0.0.2"]:
        assert client.post(url, {"reason": "spam"}, REMOTE_ADDR=address).status_code == 200
    comment.refresh_from_db()
    assert comment.reports.count() == 2 and not comment.hidden_by_reports
    assert "Omstridt kommentar" in client.get(URL).content.decode()
    client.post(url, {"reason": "offensive"}, REMOTE_ADDR="10.0.0.3")
    comment.refresh_from_db()
    assert comment.hidden_by_reports
    assert "Omstridt kommentar" not in client.get(URL).content.decode()
    assert client.get(comment.get_absolute_url()).status_code == 404
    assert comment.history.first().history_change_reason == "Hidden after 3 reports"


def test_reports_need_a_post_with_csrf(open_guide):
    from django.test import Client

    comment = make_comment(open_guide["edition"])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/kommentarer/{comment.pk}/rapporter/").status_code == 403
    assert strict.post(URL, VALID).status_code == 403
    assert comment.reports.count() == 0 and Comment.objects.count() == 1


def test_replies_are_one_level_deep_and_moderated(open_guide, client):
    comment = make_comment(open_guide["edition"], body="Hovedkommentaren om teksten.")
    response = client.post(
        comment.get_absolute_url(),
        {"name": "Per", "body": "Jeg er enig i dette.", "shown": VALID["shown"]},
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert reply.status == Status.PENDING
    assert "Jeg er enig" not in client.get(comment.get_absolute_url()).content.decode()

    from comments.services import comment_publish

    comment_publish(comment=reply)
    assert "Jeg er enig" in client.get(comment.get_absolute_url()).content.decode()
    assert "Jeg er enig" in client.get(URL).content.decode()
    # A reply to a reply is refused.
    deeper = client.post(
        reply.get_absolute_url(),
        {"name": "Eva", "body": "Svar på svar her.", "shown": VALID["shown"]},
    )
    assert deeper.status_code == 404
    assert Comment.objects.filter(parent=reply).count() == 0


def test_comment_list_filters_by_chapter_and_outcome_and_paginates(open_guide, client):
    edition = open_guide["edition"]
    forord = section_of(edition, "forord", "del-1")
    for n in range(23):
        make_comment(edition, body=f"Kommentar nummer {n:02d} i lista.")
    make_comment(edition, edition_section=forord, body="Kommentar om forordet her.")
    accepted = make_comment(edition, body="Godtatt kommentar om teksten.")
    accepted.outcome = "accepted"
    accepted.save()

    first = client.get("/kommentarer/")
    assert first.context["comments_page"].paginator.count == 25
    assert len(first.context["comments_page"]) == 20
    assert 'href="?side=2"' in first.content.decode()
    second = client.get("/kommentarer/?side=2").content.decode()
    assert "Godtatt kommentar" in second

    by_chapter = client.get("/kommentarer/?kapittel=forord").content.decode()
    assert "Kommentar om forordet" in by_chapter and "nummer 01" not in by_chapter
    by_outcome = client.get("/kommentarer/?utfall=accepted").content.decode()
    assert "Godtatt kommentar" in by_outcome and "nummer 01" not in by_outcome
    page2 = client.get("/kommentarer/?kapittel=ta-stilling&side=2").content.decode()
    assert 'href="?kapittel=ta-stilling" rel="prev"' in page2
    assert client.get("/kommentarer/?side=999")["Location"] == "/kommentarer/?side=2"
    unknown = client.get("/kommentarer/?utfall=nonsense&kapittel=nope")
    assert unknown.status_code == 404
    assert unknown.context["comments_page"].paginator.count == 25


def test_empty_states(open_guide, client):
    assert "empty-state" in client.get("/kommentarer/").content.decode()
    assert "empty-state" in client.get(URL).content.decode()


def _comments(edition, count: int) -> None:
    for n in range(count):
        make_comment(edition, body=f"Kommentar nummer {n} her.", quote="noe om formålet")


@pytest.mark.parametrize("count", [0, 200])
def test_section_page_query_count_is_fixed(open_guide, client, count, django_assert_num_queries):
    _comments(open_guide["edition"], count)
    # Miss: 1 content versions (the key of the page kept without its form), 2 current
    # edition, 3 chapters, 4 the section, 5 count comments, 6 a page of comments, 7 their
    # replies, 8 the quote highlights. An empty page skips 6 and 7.
    with django_assert_num_queries(8 if count else 6):
        first = client.get(URL)
    # Hit: 1 content versions; only the form (with its CSRF token) is rendered.
    with django_assert_num_queries(1):
        second = client.get(URL)
    assert first.status_code == second.status_code == 200
    token = re.compile(rb'name="(csrfmiddlewaretoken|shown)" value="[^"]*"')
    assert token.sub(b"", first.content) == token.sub(b"", second.content)
    assert b"csrfmiddlewaretoken" in second.content and second.cookies["csrftoken"]


@pytest.mark.parametrize("count", [0, 200])
def test_chapter_page_query_count_is_fixed(open_guide, client, count, django_assert_num_queries):
    _comments(open_guide["edition"], count)
    # 1 content versions (the page cache's key), 2 current edition, 3 chapters,
    # 4 sections with their published comments counted, 5 the edition's stored PDF.
    with django_assert_num_queries(5):
        assert client.get("/veileder/ta-stilling/").status_code == 200


@pytest.mark.parametrize("count", [0, 200])
def test_comment_list_query_count_is_fixed(open_guide, client, count, django_assert_num_queries):
    _comments(open_guide["edition"], count)
    # 1 content versions (the page cache's key), 2 current edition, 3 chapters, 4 count,
    # 5 a page of comments, 6 their replies. An empty page skips 5 and 6.
    with django_assert_num_queries(6 if count else 4):
        assert client.get("/kommentarer/").status_code == 200


def test_a_failing_mail_server_loses_nothing(open_guide, client, monkeypatch, caplog):
    import comments.services

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(comments.services, "send_mail", broken)
    response = client.post(URL, VALID)
    assert response.status_code == 302
    assert Comment.objects.count() == 1
    assert "Could not send the receipt" in caplog.text


def test_comment_post_query_count_is_fixed(open_guide, client, django_assert_num_queries):
    _comments(open_guide["edition"], 20)
    client.post(URL, {**VALID, "body": "Den første kommentaren min her."})
    # 1 the content versions (the section with its chapter and edition is kept per
    # database state: the first POST read it, and a pending comment moves no version);
    # 2 a savepoint, 3 the client's recent
    # comments (rate limit), 4 the comment, 5 its history row, 6 the savepoint released;
    # after commit, for the receipt (a background thread in production): 7 comments to
    # this address today. No page is rendered: the answer is a redirect to the receipt.
    # PostgreSQL adds one: the advisory lock that serialises one client's comments.
    from django.db import connection

    with django_assert_num_queries(7 + (connection.vendor == "postgresql")):
        response = client.post(URL, {**VALID, "body": "Den andre kommentaren min her."})
    assert response.status_code == 302
    assert Comment.objects.filter(body="Den andre kommentaren min her.").exists()
