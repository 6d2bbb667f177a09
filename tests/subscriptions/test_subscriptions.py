"""E-mail about new editions: double opt-in, one mail per edition, one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from subscriptions.models import Delivery, Subscription
from subscriptions.services import (
    CONFIRM_MAX_AGE,
    subscriptions_notify,
    subscriptions_purge_unconfirmed,
)
from tests.factories import edit, publish

ADDRESS = "kari@example.no"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = "https://innspill.example.no"
    settings.COMMENT_RATE_LIMIT = ((1000, 60),)
    settings.MEDIA_ROOT = tmp_path / "media"  # publishing makes PDFs


def _link(message, name: str) -> str:
    match = re.search(rf"https://innspill\.example\.no(/abonner/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _subscribe(client, what: str = "alle", email: str = ADDRESS):
    response = client.post("/abonner/", {"email": email, "what": what})
    assert response.status_code == 302 and response["Location"] == "/abonner/sendt/#main"
    return response


def test_subscribe_confirm_one_mail_per_edition_then_unsubscribe_by_one_click(guide, client):
    _subscribe(client)
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [ADDRESS]
    confirm = _link(confirmation, "bekreft")
    assert not Subscription.objects.get().is_confirmed

    page = client.get(confirm)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert ADDRESS not in page.content.decode()
    assert client.post(confirm).status_code == 200
    assert Subscription.objects.get().is_confirmed

    mail.outbox.clear()
    edition = publish("1.0")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    assert "1.0" in message.subject
    assert "https://innspill.example.no/versjoner/1.0/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("<https://innspill.example.no/abonner/avslutt/")

    # Telling again about the same edition sends nothing more.
    assert subscriptions_notify(edition=edition) == 0
    assert len(mail.outbox) == 1 and Delivery.objects.count() == 1

    publish("1.1")
    assert len(mail.outbox) == 2

    # One-click unsubscribe as a mail program does it: a POST without cookie or token.
    path = unsubscribe.strip("<>").removeprefix("https://innspill.example.no")
    from django.test import Client

    mailer = Client(enforce_csrf_checks=True)
    response = mailer.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert not Subscription.objects.filter(email=ADDRESS).exists()
    assert not Delivery.objects.exists()
    publish("1.2")
    assert len(mail.outbox) == 2
    # The link still answers kindly once the address is gone.
    assert mailer.post(path).status_code == 200


def test_unconfirmed_address_gets_nothing_after_its_confirmation_mail_and_is_purged(guide, client):
    _subscribe(client)
    assert len(mail.outbox) == 1
    publish("1.0")
    assert len(mail.outbox) == 1  # only the confirmation
    assert not Delivery.objects.exists()

    assert subscriptions_purge_unconfirmed() == 0  # still within its week
    later = timezone.now() + CONFIRM_MAX_AGE + timedelta(minutes=1)
    assert subscriptions_purge_unconfirmed(now=later, dry_run=True) == 1
    assert Subscription.objects.exists()
    assert subscriptions_purge_unconfirmed(now=later) == 1
    assert not Subscription.objects.filter(email=ADDRESS).exists()


def test_a_chapter_subscription_hears_only_about_editions_that_change_it(guide, client):
    chapter = guide["chapters"][1]
    _subscribe(client, what=str(chapter.pk))
    client.post(_link(mail.outbox[0], "bekreft"))
    mail.outbox.clear()

    edit(guide["chapters"][0].sections.first(), body="Bare forordet er endret.")
    publish("1.0")
    assert mail.outbox == []

    edit(chapter.sections.first(), body="Nå er dette kapittelet endret.")
    publish("1.1")
    assert len(mail.outbox) == 1
    assert chapter.title in mail.outbox[0].subject


def test_asking_twice_sends_one_confirmation_and_never_tells_who_is_subscribed(guide, client):
    _subscribe(client)
    _subscribe(client, email=ADDRESS.upper())
    assert len(mail.outbox) == 1
    assert Subscription.objects.count() == 1


def test_the_form_explains_errors_and_never_renders_what_was_written_as_html(guide, client):
    response = client.post("/abonner/", {"email": "<b>ikke</b>", "what": "tull"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<b>ikke</b>" not in html and "&lt;b&gt;ikke&lt;/b&gt;" in html
    assert 'id="error-summary"' in html
    assert not Subscription.objects.exists()


def test_the_form_has_csrf_protection_and_preselects_a_chapter(guide, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/abonner/", {"email": ADDRESS, "what": "alle"}).status_code == 403
    chapter = guide["chapters"][1]
    html = client.get("/abonner/?kapittel=ta-stilling").content.decode()
    assert f'<option value="{chapter.pk}" selected>' in html
    assert "csrfmiddlewaretoken" in html


def test_subscribing_is_rate_limited(guide, client, settings):
    settings.COMMENT_RATE_LIMIT = ((2, 60),)
    _subscribe(client, email="a@example.no")
    _subscribe(client, email="b@example.no")
    response = client.post("/abonner/", {"email": "c@example.no", "what": "alle"})
    assert response.status_code == 429
    assert not Subscription.objects.filter(email="c@example.no").exists()


def test_a_forged_or_stale_link_does_nothing(guide, client):
    assert client.get("/abonner/bekreft/tull/").status_code == 404
    assert client.post("/abonner/bekreft/tull/").status_code == 404
    assert client.get("/abonner/avslutt/tull/").status_code == 404


def test_feeds_and_subscribing_are_linked_on_every_page(guide, client):
    html = client.get("/").content.decode()
    assert 'href="/feed/versjoner/"' in html and 'href="/feed/kommentarer/"' in html
    assert 'href="/abonner/"' in html
    chapter = client.get("/veileder/ta-stilling/").content.decode()
    assert 'href="/abonner/?kapittel=ta-stilling"' in chapter


def test_no_address_on_public_pages_or_feeds(guide, client):
    _subscribe(client)
    client.post(_link(mail.outbox[0], "bekreft"))
    for url in ["/", "/abonner/", "/abonner/sendt/", "/feed/versjoner/", "/api/v1/editions/"]:
        assert ADDRESS not in client.get(url).content.decode(), url


def test_notify_command_tells_only_those_not_yet_told(guide, client, capsys):
    from django.core.management import call_command

    confirmed = Subscription.objects.create(email=ADDRESS, confirmed_at=timezone.now())
    Subscription.objects.create(email="venter@example.no")  # unconfirmed: never mailed
    edition = guide["edition"]
    call_command("notify_subscribers", "--edition", edition.number, "--dry-run")
    assert "Would mail 1 subscriber(s)" in capsys.readouterr().out
    assert mail.outbox == []
    call_command("notify_subscribers", "--edition", edition.number)
    call_command("notify_subscribers", "--edition", edition.number)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert Delivery.objects.get().subscription == confirmed


def test_a_mail_server_that_fails_stops_the_round_and_the_command_sends_the_rest(
    guide, monkeypatch
):
    from django.core.management import call_command

    for n in range(3):
        Subscription.objects.create(email=f"les{n}@example.no", confirmed_at=timezone.now())
    edition = guide["edition"]

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", down)
        assert subscriptions_notify(edition=edition) == 0
    assert not Delivery.objects.exists()
    call_command("notify_subscribers", "--edition", edition.number)
    assert sorted(m.to[0] for m in mail.outbox) == [f"les{n}@example.no" for n in range(3)]
    assert Delivery.objects.count() == 3
