"""Comments as CSV or JSON: open data for everyone, the full record for staff.

Open data never holds an e-mail address or client hash. CSV opens correctly in a
spreadsheet: UTF-8 with a byte-order mark, ISO 8601 dates.

In the files (CSV and JSON, open data and staff exports alike) every text cell that a
spreadsheet could take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
carriage return) is neutralised with a leading apostrophe: a comment named
`=HYPERLINK(...)` is shown as text, never run, whichever program opens the file. The
API (guide/api.py) answers programs, not spreadsheets, and gives the text as written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone

from comments.models import Comment

PUBLIC_FIELDS = [
    "id",
    "url",
    "reply_to",
    "created_at",
    "published_at",
    "name",
    "organisation",
    "chapter",
    "section",
    "edition",
    "quote",
    "comment",
    "outcome",
    "outcome_explanation",
    "response",
    "responded_at",
    "addressed_in_edition",
]
STAFF_FIELDS = PUBLIC_FIELDS + ["email", "status", "withheld_reason", "language"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP's
    advice for CSV injection: prefix an apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def row(comment: Comment, *, staff: bool) -> dict[str, object]:
    section = comment.edition_section
    data: dict[str, object] = {
        "id": comment.pk,
        "url": settings.SITE_URL + comment.get_absolute_url(),
        "reply_to": comment.parent_id or "",
        "created_at": _iso(comment.created_at),
        "published_at": _iso(comment.published_at),
        "name": comment.name,
        "organisation": comment.organisation,
        "chapter": section.edition_chapter.title,
        "section": section.heading,
        "edition": section.edition.number,
        "quote": comment.quote,
        "comment": comment.body,
        "outcome": comment.outcome,
        "outcome_explanation": comment.outcome_explanation,
        "response": comment.response,
        "responded_at": _iso(comment.responded_at),
        "addressed_in_edition": (
            comment.addressed_in_edition.number if comment.addressed_in_edition is not None else ""
        ),
    }
    if staff:
        data.update(
            email=comment.email,
            status=comment.status,
            withheld_reason=comment.withheld_reason,
            language=comment.language,
        )
    return data


def file_row(comment: Comment, *, staff: bool) -> dict[str, object]:
    """A row for a file someone may open in a spreadsheet."""
    return {key: neutralise(value) for key, value in row(comment, staff=staff).items()}


def export_queryset(queryset):
    return queryset.select_related(
        "edition_section__edition", "edition_section__edition_chapter", "addressed_in_edition"
    ).order_by("created_at", "pk")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(comments: Iterable[Comment], *, staff: bool) -> Iterator[str]:
    fields = STAFF_FIELDS if staff else PUBLIC_FIELDS
    writer = csv.DictWriter(_Echo(), fieldnames=fields)
    yield "\ufeff" + writer.writeheader()
    for comment in comments:
        yield writer.writerow(file_row(comment, staff=staff))


def json_chunks(comments: Iterable[Comment], *, staff: bool) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(_iso(timezone.now())) + ', "comments": ['

    first = True
    for comment in comments:
        yield (
            ("" if first else ",")
            + "\n"
            + json.dumps(file_row(comment, staff=staff), ensure_ascii=False)
        )
        first = False
    yield "\n]}\n"


def export_response(queryset, fmt: str, *, staff: bool) -> StreamingHttpResponse:
    comments = export_queryset(queryset).iterator(chunk_size=2000)
    stamp = timezone.localdate().isoformat()
    name = f"innspill-kommentarer{'-med-epost' if staff else ''}-{stamp}.{fmt}"
    if fmt == "json":
        response = StreamingHttpResponse(
            json_chunks(comments, staff=staff), content_type="application/json; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            csv_lines(comments, staff=staff), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if staff:
        response["Cache-Control"] = "private, no-store"
    return response
