"""Personal data is kept only as long as the privacy page says, and erased on request."""

from __future__ import annotations

import io
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from comments.models import Comment, Outcome, Report
from comments.services import comment_report, comment_respond, months_before
from tests.factories import make_comment, on_commit_run, section_of


def tables_holding(needle: str) -> list[str]:
    """Every table and column, in the whole database, whose value contains `needle`."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "
                    f"WHERE CAST({quote(column.name)} AS TEXT) LIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def database_state() -> dict:
    return {
        "comments": sorted(Comment.objects.values_list("pk", "name", "email", "client_hash")),
        "history": sorted(Comment.history.values_list("history_id", "name")),
        "reports": sorted(Report.objects.values_list("pk", "client_hash")),
        "attempts": AccessAttempt.objects.count(),
        "logs": AccessLog.objects.count(),
        "failures": AccessFailureLog.objects.count(),
    }


def _age(model, pks, field: str, when) -> None:
    model.objects.filter(pk__in=pks).update(**{field: when})


OLD_HASH, NEW_HASH = "a1" * 32, "b2" * 32
OLD_REPORT, NEW_REPORT = "c3" * 32, "d4" * 32


@pytest.fixture
def aged(open_guide):
    """Personal data on both sides of every retention period."""
    now = timezone.now()
    edition = open_guide["edition"]
    old = make_comment(edition, email="gammel@example.no", client_hash=OLD_HASH)
    new = make_comment(edition, email="ny@example.no", client_hash=NEW_HASH)
    answered_long_ago = make_comment(edition, email="besvart@example.no")
    answered_lately = make_comment(edition, email="nylig@example.no")
    never_answered = make_comment(edition, email="glemt@example.no")
    comment_report(comment=new, client_hash=OLD_REPORT)
    comment_report(comment=new, client_hash=NEW_REPORT)
    for comment in (answered_long_ago, answered_lately):
        comment_respond(comment=comment, outcome=Outcome.NOTED, explanation="Notert.")
    _age(
        Comment,
        [old.pk, answered_long_ago.pk, answered_lately.pk],
        "created_at",
        now - timedelta(days=31),
    )
    _age(Comment, [never_answered.pk], "created_at", months_before(now, 13))
    Comment.history.filter(id=answered_long_ago.pk).update(history_date=months_before(now, 13))
    Comment.history.filter(id=answered_lately.pk).update(history_date=months_before(now, 11))
    Report.objects.filter(client_hash=OLD_REPORT).update(created_at=now - timedelta(days=31))
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        stale = model.objects.create(
            username="gammel-bruker",
            ip_address="203.0.113.9",
            user_agent="GammelNettleser/1",
            **extra,
        )
        model.objects.create(
            username="ny-bruker", ip_address="198.51.100.4", user_agent="NyNettleser/2", **extra
        )
        _age(model, [stale.pk], "attempt_time", now - timedelta(days=31))
    return {
        "gone": [
            OLD_HASH,
            OLD_REPORT,
            "besvart@example.no",
            "glemt@example.no",
            "203.0.113.9",
            "gammel-bruker",
            "GammelNettleser",
        ],
        "kept": [
            NEW_HASH,
            NEW_REPORT,
            "ny@example.no",
            "gammel@example.no",  # its comment is only a month old
            "nylig@example.no",
            "198.51.100.4",
            "ny-bruker",
            "NyNettleser",
        ],
    }


def test_purge_deletes_what_is_past_its_period_and_nothing_else(aged):
    for needle in aged["gone"] + aged["kept"]:
        assert tables_holding(needle), needle  # the test data is really there
    reports = Report.objects.count()
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    for needle in aged["gone"]:
        assert tables_holding(needle) == [], needle
    for needle in aged["kept"]:
        assert tables_holding(needle), needle
    assert Report.objects.count() == reports  # the count stays, without the hash
    assert Comment.objects.filter(email="").count() == 2
    assert "Deleted: 1 comment client hashes and 1 report client hashes" in out.getvalue()

    again = StringIO()
    call_command("purge_personal_data", stdout=again)
    assert "Deleted: 0 comment client hashes and 0 report client hashes" in again.getvalue()


def test_purge_dry_run_changes_nothing(aged):
    before = database_state()
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert database_state() == before
    assert out.getvalue().startswith("Would delete: 1 comment client hashes")
    assert "2 e-mail addresses" in out.getvalue() and "3 login records" in out.getvalue()


def test_purge_follows_the_settings(aged, settings):
    settings.RETAIN_CLIENT_HASH_DAYS = 40
    settings.RETAIN_EMAIL_MONTHS = 14
    settings.RETAIN_LOGIN_RECORDS_DAYS = 40
    call_command("purge_personal_data", stdout=StringIO())
    for needle in aged["gone"] + aged["kept"]:
        assert tables_holding(needle), needle


NAME = "Kari Særnavn-Testesen"
EMAIL = "kari.saernavn@example.no"


@pytest.fixture
def commenter(open_guide, client, moderator):
    edition = open_guide["edition"]
    first = make_comment(edition, name=NAME, email=EMAIL, client_hash=OLD_HASH, language="nb")
    second = make_comment(
        edition,
        name=NAME,
        email=EMAIL.upper(),
        language="nn",
        edition_section=section_of(edition, "forord", "del-1"),
    )
    third = make_comment(edition, name=NAME, email=EMAIL, language="en", published=False)
    other = make_comment(edition, name="Ola Annen", email="ola@example.no")
    # A moderator's change through the admin leaves the name in the admin's log too.
    client.force_login(moderator)
    response = client.post(
        f"/admin/comments/comment/{first.pk}/change/",
        {
            "status": "published",
            "withheld_reason": "",
            "draft_outcome": "noted",
            "draft_explanation": "Notert.",
            "draft_response": "",
        },
    )
    assert response.status_code == 302
    client.logout()
    return {"mine": [first, second, third], "other": other}


def test_erase_leaves_no_name_or_address_anywhere_and_keeps_the_text(commenter, client):
    assert tables_holding(NAME) and tables_holding(EMAIL)
    assert NAME in client.get("/veileder/ta-stilling/del-1/").content.decode()
    assert NAME in client.get("/kommentarer/").content.decode()  # a cached page
    out = StringIO()
    with on_commit_run():
        call_command("erase_commenter", "--email", EMAIL, stdout=out)
    assert tables_holding(NAME) == []
    assert tables_holding(EMAIL) == [] and tables_holding(EMAIL.upper()) == []
    assert tables_holding(OLD_HASH) == []
    names = {
        c.language: c.name for c in Comment.objects.filter(pk__in=[c.pk for c in commenter["mine"]])
    }
    assert names == {"nb": "Navn fjernet", "nn": "Namn fjerna", "en": "Name removed"}
    for comment in commenter["mine"]:
        comment.refresh_from_db()
        assert comment.body == "Dette er en gjennomtenkt kommentar om teksten."
        assert comment.email == ""
    other = commenter["other"]
    other.refresh_from_db()
    assert (other.name, other.email) == ("Ola Annen", "ola@example.no")
    page = client.get("/veileder/ta-stilling/del-1/").content.decode()
    assert NAME not in page and "Navn fjernet" in page
    listing = client.get("/kommentarer/").content.decode()
    assert NAME not in listing and "Navn fjernet" in listing
    assert "Erased the name and e-mail address on 3 comments" in out.getvalue()

    again = StringIO()
    call_command("erase_commenter", "--email", EMAIL, stdout=again)
    assert "Nothing changed" in again.getvalue()


def test_erase_dry_run_changes_nothing(commenter):
    before = database_state()
    out = StringIO()
    call_command("erase_commenter", "--email", EMAIL, "--dry-run", stdout=out)
    assert database_state() == before
    assert out.getvalue().startswith("Would erase the name and e-mail address on 3 comments")


def test_erase_by_comment_id_when_the_address_is_gone(commenter):
    first = commenter["mine"][0]
    Comment.objects.filter(pk=first.pk).update(email="")  # purged long ago
    out = StringIO()
    call_command("erase_commenter", "--comment", str(first.pk), stdout=out)
    first.refresh_from_db()
    assert first.name == "Navn fjernet"
    assert not Comment.history.filter(id=first.pk, name=NAME).exists()
    # Only that comment: the others still have their address and name.
    assert Comment.objects.filter(name=NAME).count() == 2
    assert "on 1 comments" in out.getvalue()


def test_erase_refuses_what_is_not_an_address(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("erase_commenter", "--email", "Kari Nordmann")
    with pytest.raises(CommandError, match="--email"):
        call_command("erase_commenter")


def test_the_admin_points_to_a_command_that_exists():
    from pathlib import Path

    from django.core.management import get_commands

    source = (Path(__file__).resolve().parents[2] / "comments" / "admin.py").read_text()
    assert "erase_commenter" in source
    assert "erase_commenter" in get_commands() and "purge_personal_data" in get_commands()


UNITS = {
    "nb": ("dager", "måneder", "to døgn"),
    "nn": ("dagar", "månader", "to døgn"),
    "en": ("days", "months", "two days"),
}


@pytest.mark.parametrize("language", list(UNITS))
@pytest.mark.parametrize(("hash_days", "email_months", "login_days"), [(30, 12, 30), (17, 7, 23)])
def test_the_privacy_page_states_the_periods_the_purge_keeps(
    db, client, settings, language, hash_days, email_months, login_days
):
    settings.RETAIN_CLIENT_HASH_DAYS = hash_days
    settings.RETAIN_EMAIL_MONTHS = email_months
    settings.RETAIN_LOGIN_RECORDS_DAYS = login_days
    client.cookies["django_language"] = language
    page = client.get("/personvern/").content.decode()
    days, months, key_period = UNITS[language]
    assert f"{hash_days} {days}" in page  # client hashes
    assert f"{email_months} {months}" in page  # e-mail addresses
    assert f"{login_days} {days}" in page  # login records
    assert key_period in page  # the daily key (comments/client.py)
    # No period written into the page by hand, beside those from the settings.
    import re

    stated = set(re.findall(rf"(\d+) (?:{days}|{months})", page))
    assert stated == {str(hash_days), str(email_months), str(login_days)}


def test_purge_deletes_subscriptions_never_confirmed(db):
    from datetime import timedelta

    from django.utils import timezone

    from subscriptions.models import Subscription

    old = timezone.now() - timedelta(days=30)
    Subscription.objects.create(email="glemt@example.no", created_at=old)
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "1 subscriptions never confirmed" in out.getvalue()
    assert Subscription.objects.filter(email="glemt@example.no").exists()
    call_command("purge_personal_data", stdout=io.StringIO())
    assert not Subscription.objects.filter(email="glemt@example.no").exists()
