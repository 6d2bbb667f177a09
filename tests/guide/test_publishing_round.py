"""Publishing carries a running consultation round over unless the editor ends it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from guide.models import Edition, RoundState

PUBLISH = "/admin/guide/edition/publish/"


@pytest.fixture
def running(guide):
    """Edition 0.9, out for comment: opened yesterday, closes in 60 days."""
    edition = guide["edition"]
    edition.comment_opens = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    edition.comment_closes = (timezone.now() + timedelta(days=60)).replace(second=0, microsecond=0)
    edition.save()
    return edition


def _form_as_shown(client) -> dict:
    """The publish form's fields with the values the page shows: what an editor who
    only types a number and a title sends."""
    page = client.get(PUBLISH)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        name: form.fields[name].widget.format_value(value) if name.startswith("comment_") else value
        for name, value in data.items()
    }
    return {**{k: v or "" for k, v in data.items()}, "number": "1.0", "title": "Versjon 1.0"}


def test_the_publish_form_is_prefilled_with_the_running_round(running, client, editor):
    client.force_login(editor)
    page = client.get(PUBLISH).content.decode()
    deadline = timezone.localtime(running.comment_closes)
    assert f'value="{deadline:%d.%m.%Y %H:%M}"' in page
    assert 'name="consultation" value="keep"' in page and "checked" in page
    assert "Avslutt høringen nå" in page


def test_publishing_with_the_period_left_as_it_is_keeps_the_round_open(running, client, editor):
    client.force_login(editor)
    data = _form_as_shown(client)
    confirm = client.post(PUBLISH, data)
    assert confirm.status_code == 200 and confirm.context["confirming"]
    assert confirm.context["round_plan"].action == "carry"
    assert not confirm.context["round_warning"]

    assert client.post(PUBLISH, {**data, "confirm": "1"}).status_code == 302
    new = Edition.objects.current()
    assert new.number == "1.0"
    assert (new.comment_opens, new.comment_closes) == (
        running.comment_opens,
        running.comment_closes,
    )
    assert new.comment_period_state().is_open
    running.refresh_from_db()
    assert running.comment_period_state().is_open  # its stored deadline was not touched


def test_publishing_with_the_period_fields_emptied_still_keeps_the_round(running, client, editor):
    """The accident in the issue: an editor who left the dates blank ended the round."""
    client.force_login(editor)
    data = {**_form_as_shown(client), "comment_opens": "", "comment_closes": ""}
    assert client.post(PUBLISH, {**data, "confirm": "1"}).status_code == 302
    assert Edition.objects.current().comment_period_state().is_open


def test_ending_the_round_on_purpose_closes_it_and_the_confirm_page_says_so(
    running, client, editor
):
    client.force_login(editor)
    data = {**_form_as_shown(client), "consultation": "end"}
    confirm = client.post(PUBLISH, data)
    html = confirm.content.decode()
    assert confirm.context["round_plan"].action == "end" and confirm.context["round_warning"]
    assert "round-plan-warning" in html
    assert "Høringen avsluttes når du publiserer" in html
    assert Edition.objects.count() == 1  # nothing happens before the confirmation

    before = timezone.now()
    assert client.post(PUBLISH, {**data, "confirm": "1"}).status_code == 302
    new = Edition.objects.current()
    assert new.comment_period_state() == RoundState.NONE
    running.refresh_from_db()
    assert running.comment_period_state().is_closed
    assert before <= running.comment_closes <= timezone.now()  # the stored end is the real one


def test_changed_dates_with_keep_are_refused_and_a_new_period_replaces_the_round(
    running, client, editor
):
    client.force_login(editor)
    data = {
        **_form_as_shown(client),
        "comment_opens": "01.01.2030 09:00",
        "comment_closes": "01.04.2030 23:59",
    }
    refused = client.post(PUBLISH, data)
    assert refused.context["form"].errors["consultation"]
    assert not refused.context["confirming"]

    data["consultation"] = "new"
    confirm = client.post(PUBLISH, data)
    assert confirm.context["round_plan"].action == "new" and confirm.context["round_warning"]
    assert "01.04.2030" in confirm.content.decode()
    assert client.post(PUBLISH, {**data, "confirm": "1"}).status_code == 302
    new = Edition.objects.current()
    assert timezone.localtime(new.comment_closes).strftime("%d.%m.%Y %H:%M") == "01.04.2030 23:59"
    running.refresh_from_db()
    assert running.comment_period_state().is_closed


def test_without_a_running_round_the_form_offers_no_round_choice(guide, client, editor):
    client.force_login(editor)
    assert "consultation" not in client.get(PUBLISH).context["form"].fields
    data = {"number": "1.0", "title": "Versjon 1.0", "comment_opens": "", "comment_closes": ""}
    confirm = client.post(PUBLISH, data)
    assert confirm.context["round_plan"].action == "none"
    client.post(PUBLISH, {**data, "confirm": "1"})
    assert Edition.objects.current().comment_period_state() == RoundState.NONE


def test_publish_edition_command_carries_the_round_over_by_default(running, capsys):
    call_command("publish_edition", number="1.0", title="Versjon 1.0")
    new = Edition.objects.current()
    assert (new.number, new.comment_closes) == ("1.0", running.comment_closes)
    assert new.comment_period_state().is_open
    assert "1.0" in capsys.readouterr().out


def test_publish_edition_command_ends_the_round_only_when_told(running, capsys):
    call_command("publish_edition", number="1.0", title="Versjon 1.0", end_consultation=True)
    assert Edition.objects.current().comment_period_state() == RoundState.NONE
    running.refresh_from_db()
    assert running.comment_period_state().is_closed
    assert "Høringen avsluttes" in capsys.readouterr().out


def test_publish_edition_command_with_new_dates_starts_a_new_round(running):
    call_command(
        "publish_edition",
        number="1.0",
        title="Versjon 1.0",
        comments_open="2030-01-01T09:00",
        comments_close="2030-04-01T23:59",
    )
    new = Edition.objects.current()
    assert timezone.localtime(new.comment_closes).strftime("%Y-%m-%d %H:%M") == "2030-04-01 23:59"
    running.refresh_from_db()
    assert running.comment_period_state().is_closed


def test_a_closed_round_is_not_carried_over(guide):
    from publishing.services import edition_publish

    old = guide["edition"]
    old.comment_opens = timezone.now() - timedelta(days=90)
    old.comment_closes = timezone.now() - timedelta(days=1)
    old.save()
    assert (
        edition_publish(number="1.0", title="Versjon 1.0").comment_period_state() == RoundState.NONE
    )
