"""The receipt e-mail cannot be used to send someone else a message."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail

from comments.models import Comment
from tests.factories import VALID

URL = "/veileder/ta-stilling/del-1/"

HOSTILE = {
    **VALID,
    "name": "Vinn en iPhone på http://evil.example/premie",
    "organisation": "Banken din – logg inn på https://phish.example",
    "email": "offer@example.no",
    "body": "Kontoen din er sperret. Logg inn på https://phish.example/bank innen i dag.",
}


def test_a_receipt_carries_neither_the_name_nor_the_comment_nor_foreign_links(
    open_guide, client, settings
):
    settings.SITE_URL = "https://innspill.example.no"
    assert client.post(URL, HOSTILE).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    text = message.subject + message.body
    for chosen in ("iPhone", "evil.example", "phish.example", "Kontoen din", "Banken"):
        assert chosen not in text, chosen
    links = re.findall(r"https?://\S+", text)
    assert links and all(link.startswith("https://innspill.example.no/") for link in links)
    assert "Hei," in message.body


def test_one_address_gets_at_most_the_daily_number_of_receipts(open_guide, client, settings):
    settings.RECEIPTS_PER_ADDRESS_PER_DAY = 3
    for n in range(5):
        assert (
            client.post(URL, {**VALID, "body": f"Kommentar nummer {n} om teksten."}).status_code
            == 302
        )
    assert Comment.objects.count() == 5  # every comment is kept...
    assert len(mail.outbox) == 3  # ...but the address hears of three
    client.post(URL, {**VALID, "email": "annen@example.no"})
    assert [m.to for m in mail.outbox[3:]] == [["annen@example.no"]]


def test_the_daily_receipt_count_looks_back_24_hours(open_guide, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.RECEIPTS_PER_ADDRESS_PER_DAY = 1
    client.post(URL, VALID)
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=25))
    client.post(URL, {**VALID, "body": "En ny kommentar dagen etter."})
    assert len(mail.outbox) == 2


def test_a_failed_receipt_is_logged_once_as_a_warning_without_a_traceback(
    open_guide, client, monkeypatch, caplog
):
    import comments.services

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down for offer@example.no")

    monkeypatch.setattr(comments.services, "send_mail", broken)
    with caplog.at_level(logging.INFO):
        assert client.post(URL, HOSTILE).status_code == 302
    comment = Comment.objects.get()
    records = [r for r in caplog.records if "receipt" in r.getMessage()]
    assert len(records) == 1
    (record,) = records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert str(comment.pk) in record.getMessage()
    assert "offer@example.no" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_answer_does_not_wait_for_the_mail_server(client, settings, monkeypatch):
    """With mail sent in the background (the default outside tests), a comment POST is
    answered while the SMTP server still hangs; the receipt goes out once it answers."""
    import threading

    from django.core import mail

    import comments.services
    from tests.factories import make_chapter

    make_chapter(slug="ta-stilling", sections=1)
    from django.utils import timezone

    from guide.services import RoundRequest
    from publishing.services import edition_publish

    now = timezone.now()
    edition_publish(
        number="0.9",
        title="Høring",
        consultation=RoundRequest(
            now - timezone.timedelta(days=1), now + timezone.timedelta(days=30)
        ),
    )
    settings.SEND_MAIL_IN_BACKGROUND = True
    release, sent = threading.Event(), threading.Event()
    real = comments.services.send_mail

    def hanging_smtp(*args, **kwargs):
        release.wait(10)
        real(*args, **kwargs)
        sent.set()

    monkeypatch.setattr(comments.services, "send_mail", hanging_smtp)
    response = client.post("/veileder/ta-stilling/del-1/", VALID)
    assert response.status_code == 302  # answered while the mail server hangs
    assert not sent.is_set() and len(mail.outbox) == 0
    release.set()
    assert sent.wait(10)
    assert len(mail.outbox) == 1
