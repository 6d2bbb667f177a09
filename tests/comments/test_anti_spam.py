"""Rate limits, reports and anti-spam checks, all decided from the database: they hold
across workers and instances without Redis (tests/reliability/test_one_truth.py shows it
with real gunicorn workers)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments.forms import shown_token
from comments.models import Comment
from comments.services import comment_publish
from core.client import client_group, client_hash, client_hashes
from core.models import ClientKey
from tests.factories import VALID, make_comment

URL = "/veileder/ta-stilling/del-1/"


def test_a_form_sent_too_soon_after_it_was_shown_stores_nothing_and_keeps_the_text(
    open_guide, client, settings
):
    settings.COMMENT_MIN_SECONDS = 3
    response = client.post(
        URL, {**VALID, "shown": shown_token(time.time() - 1), "body": "Sendt med en gang."}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vent noen sekunder" in html and "Sendt med en gang." in html
    assert Comment.objects.count() == 0
    # The form comes back with a fresh token: sent again a few seconds later, it passes.
    assert 'name="shown"' in html
    later = client.post(URL, {**VALID, "shown": shown_token(time.time() - 4)})
    assert later.status_code == 302 and Comment.objects.count() == 1


@pytest.mark.parametrize(
    "shown",
    ["", "1", shown_token(time.time() - 60) + "x", shown_token(time.time() - 2 * 24 * 3600)],
    ids=["missing", "forged", "altered", "two days old"],
)
def test_a_missing_forged_or_stale_form_token_stores_nothing(open_guide, client, shown):
    response = client.post(URL, {**VALID, "shown": shown})
    assert response.status_code == 400
    assert "Skjemaet var utløpt" in response.content.decode()
    assert Comment.objects.count() == 0


def test_the_honeypot_field_filled_in_stores_nothing(open_guide, client):
    response = client.post(URL, {**VALID, "website": "https://spam.example"})
    assert response.status_code == 400
    assert VALID["body"] in response.content.decode()
    assert Comment.objects.count() == 0


def test_the_honeypot_is_hidden_from_everyone(open_guide, client):
    html = client.get(URL).content.decode()
    assert '<div class="trap" hidden><label for="id_website">' in html


def test_the_rate_limit_is_counted_in_the_database_not_in_a_process(open_guide, client, settings):
    settings.COMMENT_RATE_LIMIT = ((5, 60), (30, 86400))
    for n in range(5):
        assert client.post(URL, {**VALID, "body": f"Kommentar nummer {n} her."}).status_code == 302
    cache.clear()  # nothing kept in a cache or a process decides it
    assert client.post(URL, {**VALID, "body": "Den sjette kommentaren."}).status_code == 429
    assert Comment.objects.count() == 5
    # A minute later the per-minute limit allows more.
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert client.post(URL, {**VALID, "body": "Etter et par minutter."}).status_code == 302


def test_the_daily_limit_counts_comments_made_under_yesterdays_key(
    open_guide, client, rf, settings
):
    settings.COMMENT_RATE_LIMIT = ((3, 86400),)
    yesterdays = client_hashes(rf.get("/", REMOTE_ADDR="127.0.0.1"))[1]
    for n in range(3):
        make_comment(
            open_guide["edition"],
            published=False,
            body=f"Kommentar nummer {n} fra i går kveld.",
            client_hash=yesterdays,
        )
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert client.post(URL, VALID).status_code == 429


def test_ipv6_clients_are_grouped_by_their_64_network(open_guide, client, settings):
    settings.COMMENT_RATE_LIMIT = ((2, 60),)
    same_network = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"]
    for n, address in enumerate(same_network):
        response = client.post(
            URL, {**VALID, "body": f"Kommentar {n} fra IPv6."}, REMOTE_ADDR=address
        )
        assert response.status_code == 302
    third = client.post(URL, {**VALID, "body": "Fra samme nett."}, REMOTE_ADDR="2001:db8:1:2::7")
    assert third.status_code == 429
    other = client.post(URL, {**VALID, "body": "Fra et annet nett."}, REMOTE_ADDR="2001:db8:1:3::1")
    assert other.status_code == 302
    assert client_group("2001:db8:1:2:abcd::1") == "2001:db8:1:2::/64"
    assert client_group("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_group("192.0.2.7") == "192.0.2.7"


def test_client_keys_are_random_per_day_and_deleted_after_two_days(db, rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1")
    today, yesterday = client_hashes(request)
    assert client_hash(request) == today != yesterday
    assert len(today) == 64
    # The key is random, not derived from SECRET_KEY: the same address hashes differently
    # in a database with other keys.
    ClientKey.objects.all().delete()
    import core.client

    core.client._keys.clear()
    assert client_hash(request) != today
    old = timezone.now().date() - timedelta(days=5)
    ClientKey.objects.create(day=old, secret="ab" * 32)
    core.client._keys.clear()
    ClientKey.objects.filter(day=timezone.now().date()).delete()
    client_hash(request)  # making today's key deletes the ones past their time
    assert not ClientKey.objects.filter(day=old).exists()


def test_reports_made_before_a_moderators_decision_no_longer_count(open_guide, client):
    comment = make_comment(open_guide["edition"], body="Omstridt, men greit.")
    url = f"/kommentarer/{comment.pk}/rapporter/"
    for address in ["10.0.0.1", "10.0.0.2"]:
        client.post(url, {"reason": "spam"}, REMOTE_ADDR=address)
    # A moderator looks at it and keeps it.
    comment.refresh_from_db()
    comment_publish(comment=comment)
    client.post(url, {"reason": "spam"}, REMOTE_ADDR="10.0.0.3")
    comment.refresh_from_db()
    assert not comment.hidden_by_reports  # one report since the decision, not three
    for address in ["10.0.0.4", "10.0.0.5"]:
        client.post(url, {"reason": "spam"}, REMOTE_ADDR=address)
    comment.refresh_from_db()
    assert comment.hidden_by_reports
