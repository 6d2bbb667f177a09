"""The consultation round on every public page (issue 14): its deadline with date, time
and days left while open; that it has ended, with a link to the report, when closed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from guide.rounds import Round, round_of
from publishing.services import edition_publish
from tests.factories import edit, make_comment
from tests.guide.pages import PUBLIC_PAGES

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _open_until(edition, closes):
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = closes
    edition.save()


def test_every_page_shows_the_deadline_with_time_and_days_left_while_open(guide, client):
    today = timezone.localdate()
    deadline = dt.datetime.combine(today + timedelta(days=12), dt.time(23, 59), tzinfo=OSLO)
    _open_until(guide["edition"], deadline)
    months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember"]  # fmt: skip
    day = deadline.date()
    shown = f"{day.day}. {months[day.month - 1]} {day.year} kl. 23.59</time>, 12 dager igjen"
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Høringen er åpen." in html and "Høringsfrist" in html, url
        assert shown in html, url


def test_the_shown_deadline_is_the_stored_minute_in_oslo_time(guide, client):
    # 22:59 UTC is 23:59 in Oslo in winter: the page must not show 22.59 or the day only.
    closes = dt.datetime(2099, 3, 1, 22, 59, tzinfo=dt.UTC)
    _open_until(guide["edition"], closes)
    html = client.get("/veileder/ta-stilling/").content.decode()
    assert "1. mars 2099 kl. 23.59" in html
    assert 'datetime="2099-03-01T23:59:00+0100"' in html
    client.cookies["django_language"] = "en"
    assert "March 1, 2099 at 23:59" in client.get("/veileder/").content.decode()


def test_every_page_says_the_round_has_ended_and_links_to_the_report(guide, client):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=60)
    edition.comment_closes = timezone.now() - timedelta(days=1)
    edition.save()
    for url in PUBLIC_PAGES:
        html = client.get(url).content.decode()
        assert "Høringen er avsluttet." in html, url
        assert 'href="/horing/rapport/"' in html, url
        assert "Høringsfrist" not in html, url


def test_a_newer_edition_without_a_round_still_points_to_the_last_rounds_report(guide, client):
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=60)
    edition.comment_closes = timezone.now() - timedelta(days=1)
    edition.save()
    edit(guide["chapters"][0].sections.first(), body="Ny tekst i versjon 1.0.")
    edition_publish(number="1.0", title="Endelig")
    for url in ["/", "/veileder/ta-stilling/", "/personvern/", "/versjoner/", "/versjoner/1.0/"]:
        html = client.get(url).content.decode()
        assert "Høringen er avsluttet." in html and 'href="/horing/rapport/"' in html, url


def test_no_round_ever_shows_no_banner(guide, client):
    html = client.get("/veileder/").content.decode()
    assert 'class="round' not in html


def test_front_page_does_not_invite_comments_once_the_round_has_ended(guide, client):
    edition = guide["edition"]
    _open_until(edition, timezone.now() + timedelta(days=10))
    html = client.get("/").content.decode()
    assert "Slik deltar du" in html and "ikke åpen for kommentarer" not in html
    edition.comment_closes = timezone.now() - timedelta(minutes=1)
    edition.save()
    html = client.get("/").content.decode()
    assert "Slik deltar du" not in html and "utkast til veileder på høring" not in html
    assert "Høringen av utkastet er avsluttet." in html
    assert 'href="/horing/rapport/"' in html


def test_days_left_counts_calendar_days_in_oslo():
    closes = dt.datetime(2027, 3, 1, 23, 59, tzinfo=OSLO)
    period = Round("open", closes - timedelta(days=90), closes)
    assert period.days_left(dt.date(2027, 2, 17)) == 12
    assert period.days_left(dt.date(2027, 3, 1)) == 0
    # Just after midnight in Oslo, still the evening before in UTC.
    early = dt.datetime(2027, 3, 1, 0, 30, tzinfo=OSLO)
    assert Round("open", early - timedelta(days=9), early).days_left(dt.date(2027, 2, 28)) == 1


def test_the_last_day_says_today(guide, client):
    today = timezone.localdate()
    closes = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=OSLO)
    if timezone.now() >= closes:
        pytest.skip("run in the last second of the day")
    _open_until(guide["edition"], closes)
    assert "i dag kl. 23.59" in client.get("/veileder/").content.decode()


def test_round_of_needs_no_query_for_the_current_edition(guide, django_assert_num_queries):
    from guide.models import Edition

    _open_until(guide["edition"], timezone.now() + timedelta(days=3))
    current = Edition.objects.current()
    with django_assert_num_queries(0):
        assert round_of(current).is_open


def test_report_link_from_a_closed_round_with_comments(guide, client):
    edition = guide["edition"]
    _open_until(edition, timezone.now() + timedelta(days=3))
    make_comment(edition, body="En kommentar i runden.")
    edition.comment_closes = timezone.now() - timedelta(minutes=1)
    edition.save()
    html = client.get("/horing/rapport/").content.decode()
    assert "En kommentar i runden." in html


def test_the_banner_variant_changes_at_local_midnight_and_when_the_round_closes(guide):
    from guide.models import Edition
    from guide.rounds import banner_variant

    closes = dt.datetime(2027, 3, 1, 23, 59, tzinfo=OSLO)
    edition = guide["edition"]
    edition.comment_opens = closes - timedelta(days=90)
    edition.comment_closes = closes
    edition.save()
    current = Edition.objects.current()
    evening = dt.datetime(2027, 2, 27, 23, 30, tzinfo=OSLO)
    assert banner_variant(current, evening) == "open:2027-02-27"
    assert banner_variant(current, evening + timedelta(hours=1)) == "open:2027-02-28"
    assert banner_variant(current, closes) == "closed:2027-03-01"
    assert banner_variant(None, evening) == "none:2027-02-27"
