"""Publishing an edition, from start to finish, in one place."""

from __future__ import annotations

from archive.services import edition_pdf_after_commit
from comments.services import comments_mark_addressed, comments_reanchor
from guide.models import Edition
from guide.services import edition_freeze
from subscriptions.services import subscribers_notify_after_commit


def edition_publish(**arguments) -> Edition:
    """Publish the working draft as a new edition (`edition_freeze` takes the arguments).

    1. The draft is frozen into the edition in one transaction (guide): from its commit
       the edition is public, on every worker, and the round is carried over or ended.
    2. Comments follow it (comments): quotes are located in the new text, in batches
       that are transactions of their own, so public pages keep answering while it
       runs, even on SQLite, which lets one writer in at a time; comments that the
       edition's changes answer are marked, and their authors told after commit.
    3. Once committed, the PDF copy is made (archive) and subscribers are told
       (subscriptions). A failure of either is logged and does not undo the edition.
    """
    edition = edition_freeze(**arguments)
    comments_reanchor(edition=edition)
    comments_mark_addressed(edition=edition)
    edition_pdf_after_commit(edition=edition)
    subscribers_notify_after_commit(edition=edition)
    return edition
