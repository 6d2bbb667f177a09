"""Writes that touch comments and what hangs on them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from comments.anchoring import locate
from comments.models import (
    REPORTS_TO_HIDE,
    AnchorState,
    Comment,
    Notification,
    Outcome,
    Report,
    Status,
    WithheldReason,
)
from guide.cache import comments_changed
from guide.markdown import html_text
from guide.models import Edition, EditionSection

logger = logging.getLogger(__name__)


def _anchor_fields(comment: Comment, edition_section: EditionSection) -> None:
    if not comment.quote:
        comment.anchor_state = AnchorState.NONE
        comment.anchor_edition_id = edition_section.edition_id
        comment.anchor_start = comment.anchor_end = None
        return
    anchor = locate(
        html_text(edition_section.body_html),
        comment.quote,
        comment.quote_prefix,
        comment.quote_suffix,
    )
    comment.anchor_edition_id = edition_section.edition_id
    comment.anchor_state = anchor.state
    comment.anchor_start, comment.anchor_end = anchor.start, anchor.end


@transaction.atomic
def comment_submit(
    *,
    edition_section: EditionSection,
    name: str,
    body: str,
    email: str = "",
    organisation: str = "",
    quote: str = "",
    quote_prefix: str = "",
    quote_suffix: str = "",
    parent: Comment | None = None,
    language: str = "nb",
    client_hash: str = "",
) -> Comment:
    """Store a new comment (pending review) and send its receipt once it is saved."""
    comment = Comment(
        section_id=edition_section.section_id,
        edition_section=edition_section,
        parent=parent,
        name=name,
        email=email,
        organisation=organisation,
        body=body,
        quote=quote,
        quote_prefix=quote_prefix[-32:],
        quote_suffix=quote_suffix[:32],
        language=language,
        client_hash=client_hash,
    )
    if quote:
        anchor = locate(html_text(edition_section.body_html), quote, quote_prefix, quote_suffix)
        # Keep the context as it stands in the text, not as the browser sent it.
        comment.quote_prefix, comment.quote_suffix = anchor.prefix, anchor.suffix
    _anchor_fields(comment, edition_section)
    comment._change_reason = "Received"
    comment.save()
    if email:
        transaction.on_commit(lambda: send_receipt(comment))
    return comment


def send_receipt(comment: Comment) -> None:
    """E-mail the author a receipt, in the language they wrote in."""
    with translation.override(comment.language):
        context = {
            "comment": comment,
            "section": comment.edition_section,
            "site_owner": settings.SITE_OWNER,
            "privacy_url": settings.SITE_URL + reverse("guide:privacy"),
        }
        subject = translation.gettext("We have received your comment")
        body = render_to_string("comments/email/receipt.txt", context)
    try:
        send_mail(subject, body, None, [comment.email])
    except Exception:  # noqa: BLE001 - the comment is stored; a lost receipt is logged
        logger.exception("Could not send the receipt for comment %s", comment.pk)


@transaction.atomic
def comment_report(*, comment: Comment, client_hash: str, reason: str = "") -> bool:
    """Record a reader's report. Returns True if this report hid the comment."""
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, client_hash=client_hash, reason=reason)
    except IntegrityError:
        return False  # this client has reported it already
    reports = comment.reports.count()
    if reports >= REPORTS_TO_HIDE and not comment.hidden_by_reports:
        comment.hidden_by_reports = True
        comment._change_reason = f"Hidden after {reports} reports"
        comment.save(update_fields=["hidden_by_reports"])
        transaction.on_commit(comments_changed)
        return True
    return False


def comments_reanchor(*, edition: Edition, batch_size: int = 2000) -> int:
    """Locate every quoted comment's passage in `edition`. Returns how many moved state."""
    sections = {s.section_id: s for s in EditionSection.objects.filter(edition=edition)}
    texts = {section_id: html_text(s.body_html) for section_id, s in sections.items()}
    changed = []
    quoted = Comment.objects.exclude(quote="").only(
        "pk", "section_id", "quote", "quote_prefix", "quote_suffix", "anchor_state"
    )
    for comment in quoted.iterator(chunk_size=batch_size):
        text = texts.get(comment.section_id)
        if text is None:
            comment.anchor_state = AnchorState.LOST
            comment.anchor_start = comment.anchor_end = None
        else:
            anchor = locate(text, comment.quote, comment.quote_prefix, comment.quote_suffix)
            comment.anchor_state = anchor.state
            comment.anchor_start, comment.anchor_end = anchor.start, anchor.end
        comment.anchor_edition_id = edition.pk
        changed.append(comment)
    fields = ["anchor_state", "anchor_start", "anchor_end", "anchor_edition"]
    Comment.objects.bulk_update(changed, fields, batch_size=batch_size)
    Comment.objects.filter(quote="").update(anchor_edition=edition)
    return len(changed)


def on_edition_published(sender, *, edition: Edition, **kwargs) -> None:
    comments_reanchor(edition=edition)
    comments_mark_addressed(edition=edition)


def _notify(comment: Comment, event: str, key: str = "") -> None:
    """E-mail the author about `event`, once ever per comment, event and key, after the
    surrounding transaction commits. Authors without an address are skipped."""
    if not comment.email:
        return
    try:
        with transaction.atomic():
            Notification.objects.create(comment=comment, event=event, key=key)
    except IntegrityError:
        return  # already told
    transaction.on_commit(lambda: send_notification(comment.pk, event))


NOTIFICATION_SUBJECTS = {
    Notification.Event.PUBLISHED: gettext_lazy("Your comment has been published"),
    Notification.Event.OUTCOME: gettext_lazy("We have considered your comment"),
    Notification.Event.ADDRESSED: gettext_lazy("Your comment has led to a change in the guide"),
}


def send_notification(comment_pk: int, event: str) -> None:
    comment = Comment.objects.select_related(
        "edition_section__edition_chapter", "addressed_in_edition"
    ).get(pk=comment_pk)
    with translation.override(comment.language):
        context = {
            "comment": comment,
            "section": comment.edition_section,
            "site_owner": settings.SITE_OWNER,
            "comment_url": settings.SITE_URL + comment.get_absolute_url(),
            "privacy_url": settings.SITE_URL + reverse("guide:privacy"),
        }
        subject = str(NOTIFICATION_SUBJECTS[event])
        body = render_to_string(f"comments/email/{event}.txt", context)
    try:
        send_mail(subject, body, None, [comment.email])
    except Exception:  # noqa: BLE001 - the decision is stored; a lost mail is logged
        logger.exception("Could not send the %s notification for comment %s", event, comment_pk)


def _record(comment: Comment, reason: str, user) -> None:
    comment._change_reason = reason
    if user is not None:
        comment._history_user = user
    comment.save()
    transaction.on_commit(comments_changed)


@transaction.atomic
def comment_publish(*, comment: Comment, user=None) -> None:
    comment.status = Status.PUBLISHED
    comment.withheld_reason = ""
    comment.hidden_by_reports = False
    comment.published_at = comment.published_at or timezone.now()
    _record(comment, "Published", user)
    _notify(comment, Notification.Event.PUBLISHED)


@transaction.atomic
def comment_withhold(*, comment: Comment, reason: str, user=None) -> None:
    """Withhold a comment from the public, with one of WithheldReason's reasons."""
    if reason not in WithheldReason.values:
        raise ValueError(f"Unknown reason for withholding: {reason!r}")
    comment.status = Status.WITHHELD
    comment.withheld_reason = reason
    comment.hidden_by_reports = False
    _record(comment, f"Withheld: {reason}", user)


@transaction.atomic
def comment_respond(
    *,
    comment: Comment,
    outcome: str,
    explanation: str = "",
    response: str = "",
    user=None,
) -> None:
    """Record the outcome of a comment and the public response to it."""
    if response != comment.response:
        comment.responded_by = user
        comment.responded_at = timezone.now()
    comment.outcome = outcome
    comment.outcome_explanation = explanation
    comment.response = response
    _record(comment, f"Outcome: {outcome}", user)
    if outcome != Outcome.OPEN and comment.is_public:
        _notify(comment, Notification.Event.OUTCOME, outcome)


@transaction.atomic
def comments_address(
    *,
    comments: list[Comment],
    revision,
    outcome: str,
    explanation: str,
    user=None,
) -> None:
    """Link comments to the section revision that addressed them and set their outcome."""
    for comment in comments:
        comment.addressed_in_revision = revision
        comment_respond(
            comment=comment,
            outcome=outcome,
            explanation=explanation,
            response=comment.response,
            user=user,
        )


def comments_mark_addressed(*, edition: Edition) -> int:
    """Link comments addressed by a revision to the first edition that publishes it."""
    in_edition = EditionSection.objects.filter(edition=edition).values("section_id")
    waiting = list(
        Comment.objects.filter(
            addressed_in_revision__isnull=False,
            addressed_in_edition__isnull=True,
            section_id__in=in_edition,
        )
    )
    for comment in waiting:
        comment.addressed_in_edition = edition
        _record(comment, f"Addressed in edition {edition.number}", None)
        if comment.is_public:
            _notify(comment, Notification.Event.ADDRESSED, edition.number)
    return len(waiting)
