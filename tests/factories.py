"""Small factories and helpers the tests share. Plain functions, imported where used;
the fixtures built from them live in tests/conftest.py."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from comments.forms import shown_token
from comments.models import Comment
from comments.services import comment_publish, comment_submit
from guide.models import Chapter, ChapterKind, Edition, EditionSection, Section
from publishing.services import edition_publish

_counter = itertools.count(1)
logger = logging.getLogger(__name__)

VALID = {
    # The comment form as a person sends it: shown a minute before (comments/forms.py).
    "shown": shown_token(time.time() - 60),
    "name": "Ola Nordmann",
    "organisation": "Eksempel kommune",
    "email": "ola@example.no",
    "body": "Kapittelet bør si mer om arkivering av meldinger.",
    "quote": "",
}


@contextmanager
def on_commit_run(using: str = DEFAULT_DB_ALIAS) -> Iterator[list]:
    """Run the on-commit callbacks registered inside the block when it ends, as the
    commit of a real transaction would, and forget them as a commit does.

    Unlike Django's captureOnCommitCallbacks(execute=True), the callbacks are removed
    once run, so a block inside another (a client request inside a test's capture) does
    not send a mail twice. Yields the callbacks that ran, for tests that count them."""
    ran: list = []
    pending = connections[using].run_on_commit
    start = len(pending)
    try:
        yield ran
    finally:
        # A callback may register more (as in Django's own capture): loop until none.
        while len(pending) > start:
            batch = pending[start:]
            del pending[start:]
            for _sids, callback, robust in batch:
                ran.append(callback)
                try:
                    callback()
                except Exception:
                    if not robust:
                        raise
                    logger.exception("Error calling %s in on_commit()", callback)


STAFF_PASSWORD = "et-langt-passord-123"


def make_staff_user(username: str, group: str):
    """A staff user in one of the groups the data migrations make (Redaktør, Moderator),
    with STAFF_PASSWORD."""
    user = get_user_model().objects.create_user(username, password=STAFF_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def make_chapter(*, kind: str = ChapterKind.CHAPTER, sections: int = 2, **fields) -> Chapter:
    n = next(_counter)
    chapter = Chapter(kind=kind, slug=f"kapittel-{n}", title=f"Kapittel {n}", order=n)
    chapter.intro = "Innledning til kapittelet."
    edit(chapter, "Opprettet i test", **fields)
    for i in range(1, sections + 1):
        make_section(chapter, slug=f"del-{i}", heading=f"Del {i}", order=i)
    return chapter


def make_section(chapter: Chapter, **fields) -> Section:
    n = next(_counter)
    section = Section(chapter=chapter, slug=f"del-{n}", heading=f"Del {n}", order=n)
    section.body = f"Tekst i del {n}. Her står det noe om formålet."
    return edit(section, "Opprettet i test", **fields)


def edit(obj, note: str = "Endret i test", **fields):
    """Change and save a chapter or section the way the admin does: with a change note
    in its history."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._change_reason = note
    obj.save()
    return obj


def section_form_data(section: Section, note: str, **changes) -> dict:
    """What the admin's change form for `section` sends as it stands, with the change
    note `note` and the fields in `changes` changed."""
    return {
        "chapter": section.chapter_id,
        "heading": section.heading,
        "slug": section.slug,
        "order": section.order,
        "is_active": "on",
        "body": section.body,
        "change_note": note,
        **changes,
    }


def publish(number: str, **fields) -> Edition:
    """Publish the guide as edition `number` and run what follows the commit (the PDF,
    subscribers' mail), as publishing in production does."""
    fields.setdefault("title", f"Versjon {number}")
    with on_commit_run():
        return edition_publish(number=number, **fields)


def open_for_comments(edition: Edition, *, opened: int = 1, closes: int = 60) -> Edition:
    """Open `edition` for comments: opened `opened` days ago, closing in `closes` days."""
    now = timezone.now()
    edition.comment_opens = now - timedelta(days=opened)
    edition.comment_closes = now + timedelta(days=closes)
    edition.save()
    return edition


def section_of(edition, chapter_slug: str = "ta-stilling", slug: str = "del-1") -> EditionSection:
    return EditionSection.objects.get(
        edition=edition, edition_chapter__slug=chapter_slug, slug=slug
    )


def make_comment(edition, *, published: bool = True, **fields) -> Comment:
    """A comment submitted through the service (its receipt waits for a commit that
    never comes unless the test runs it), published unless told otherwise."""
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
