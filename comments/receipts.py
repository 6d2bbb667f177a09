"""The links a sender gets: the receipt, and the section page saying their comment
waits for review. Both are signed and short-lived, so nothing about the sender is
stored anywhere."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

from comments.models import Comment

RECEIPT_SALT = "comments.receipt"
RECEIPT_MAX_AGE = 7 * 24 * 3600
# "Your comment waits for review" on the section page: a signed, short-lived parameter
# on the receipt's link back, so nothing about the sender is stored anywhere.
SENT_SALT = "comments.sent"
SENT_MAX_AGE = 24 * 3600


def receipt_url(comment: Comment) -> str:
    token = signing.dumps(comment.pk, salt=RECEIPT_SALT)
    return reverse("comments:receipt", args=[token])


def sent_url(comment: Comment) -> str:
    """The section page, telling the sender their comment waits for review."""
    token = signing.dumps(comment.pk, salt=SENT_SALT)
    query = urlencode({"sendt": token})
    return f"{comment.edition_section.current_url()}?{query}#kommentarer"


def sent_comment(token: str | None, section_id: int) -> Comment | None:
    """The sender's own comment on this section, while it still waits for review."""
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Comment.objects.pending()
        .top_level()
        .filter(pk=pk, section_id=section_id)
        .only("pk", "created_at")
        .first()
    )
