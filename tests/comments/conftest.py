from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.forms import shown_token
from comments.models import Comment
from comments.services import comment_publish, comment_submit
from guide.models import EditionSection


@pytest.fixture
def open_guide(guide):
    """The guide fixture with edition 0.9 open for comments."""
    edition = guide["edition"]
    edition.comment_opens = timezone.now() - timedelta(days=1)
    edition.comment_closes = timezone.now() + timedelta(days=60)
    edition.save()
    return guide


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    settings.COMMENT_RATE_LIMIT = ((1000, 60),)


def section_of(edition, chapter_slug: str = "ta-stilling", slug: str = "del-1") -> EditionSection:
    return EditionSection.objects.get(
        edition=edition, edition_chapter__slug=chapter_slug, slug=slug
    )


def make_comment(edition, *, published: bool = True, **fields) -> Comment:
    fields.setdefault("name", "Kari Nordmann")
    fields.setdefault("body", "Dette er en gjennomtenkt kommentar om teksten.")
    comment = comment_submit(
        edition_section=fields.pop("edition_section", None) or section_of(edition), **fields
    )
    if published:
        comment_publish(comment=comment)
    return comment


def bulk_comments(edition_section: EditionSection, count: int, **fields) -> list[Comment]:
    """`count` comments in one insert, for tests that only need many rows."""
    return Comment.objects.bulk_create(
        Comment(
            section_id=edition_section.section_id,
            edition_section=edition_section,
            name=f"Navn {n}",
            body=f"Kommentar nummer {n} her.",
            **fields,
        )
        for n in range(count)
    )


VALID = {
    # The form as a person sends it: shown a minute before (comments/forms.py).
    "shown": shown_token(time.time() - 60),
    "name": "Ola Nordmann",
    "organisation": "Eksempel kommune",
    "email": "ola@example.no",
    "body": "Kapittelet bør si mer om arkivering av meldinger.",
    "quote": "",
}


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """The test client, with on-commit work (receipt e-mails) run as in production."""
    original = client.post

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    client.post = post
    return client
