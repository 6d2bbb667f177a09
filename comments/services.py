"""Writes that touch comments and what hangs on them."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from comments.anchoring import locate
from comments.models import (
    CONTEXT_CHARS,
    REPORTS_TO_HIDE,
    AnchorState,
    Comment,
    Notification,
    Outcome,
    Report,
    Status,
    WithheldReason,
)
from core import ratelimit
from core.client import KEY_DAYS
from core.markdown import html_text
from core.models import ClientKey
from core.outbox import send_later
from guide.models import Edition, EditionSection

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


def _anchor_fields(comment: Comment, edition_section: EditionSection) -> None:
    """Locate the comment's quote in the text it was written about, once, with the
    context the browser sent. The anchor names the edition where that text first stood,
    so it holds for as long as the text does; the context kept is the text's own."""
    comment.anchor_edition_id = edition_section.text_since_id
    if not comment.quote:
        comment.anchor_state = AnchorState.NONE
        comment.anchor_start = comment.anchor_end = None
        return
    anchor = locate(
        html_text(edition_section.body_html),
        comment.quote,
        comment.quote_prefix,
        comment.quote_suffix,
    )
    comment.anchor_state = anchor.state
    comment.anchor_start, comment.anchor_end = anchor.start, anchor.end
    # Keep the context as it stands in the text, not as the browser sent it.
    comment.quote_prefix, comment.quote_suffix = anchor.prefix, anchor.suffix


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
    earlier_hashes: Sequence[str] = (),
) -> Comment:
    """Store a new comment (pending review) and send its receipt once it is saved.

    With a `client_hash`, the rate limits apply: RateLimited is raised, and nothing
    stored, if this client (under this hash or any of `earlier_hashes`, made with
    earlier days' keys) has sent as many comments as they allow.
    """
    if client_hash:
        ratelimit.lock_client(client_hash)
        sent = Comment.objects.filter(client_hash__in=[client_hash, *earlier_hashes])
        if ratelimit.over_limit_of(sent):
            raise ratelimit.RateLimited
    comment = Comment(
        section_id=edition_section.section_id,
        edition_section=edition_section,
        parent=parent,
        name=name,
        email=email,
        organisation=organisation,
        body=body,
        quote=quote,
        quote_prefix=quote_prefix[-CONTEXT_CHARS:],
        quote_suffix=quote_suffix[:CONTEXT_CHARS],
        language=language,
        client_hash=client_hash,
    )
    _anchor_fields(comment, edition_section)
    comment._change_reason = "Received"
    comment.save()
    if email:
        transaction.on_commit(lambda: send_later(send_receipt, comment))
    return comment


def receipt_allowed(comment: Comment) -> bool:
    """At most settings.RECEIPTS_PER_ADDRESS_PER_DAY receipts to one address in 24 hours,
    decided from the database so it holds across workers and instances: this comment
    gets one only if it is among the first that many comments with its address in the
    24 hours before it. (Counting comments, not receipts sent, errs on sending fewer.)"""
    since = comment.created_at - timedelta(days=1)
    earlier = Comment.objects.filter(
        email__iexact=comment.email, created_at__gte=since, created_at__lte=comment.created_at
    ).filter(models.Q(created_at__lt=comment.created_at) | models.Q(pk__lte=comment.pk))
    return earlier.count() <= settings.RECEIPTS_PER_ADDRESS_PER_DAY


def send_receipt(comment: Comment) -> None:
    """E-mail the author a receipt, in the language they wrote in. It holds nothing the
    sender chose, so it cannot be used to mail someone else a message."""
    if not receipt_allowed(comment):
        logger.info("No receipt for comment %s: the address has had its receipts today", comment.pk)
        return
    with translation.override(comment.language):
        context = {
            "section": comment.edition_section,
            "site_owner": settings.SITE_OWNER,
            "privacy_url": settings.SITE_URL + reverse("public:privacy"),
        }
        subject = translation.gettext("We have received your comment")
        body = render_to_string("comments/email/receipt.txt", context)
    try:
        send_mail(subject, body, None, [comment.email])
    except Exception as error:  # noqa: BLE001 - the comment is stored; a lost receipt is logged
        # A warning, once, without a traceback: a mail server that is down is an
        # operations matter, not a bug. Only the error's kind: its text may hold the
        # address.
        logger.warning(
            "Could not send the receipt for comment %s (%s)", comment.pk, type(error).__name__
        )


@transaction.atomic
def comment_report(*, comment: Comment, client_hash: str, reason: str = "") -> bool:
    """Record a reader's report. Returns True if this report hid the comment.

    Only reports made since a moderator last decided on the comment count: a comment a
    moderator has looked at and kept is not hidden again by the old reports."""
    # One report at a time per comment, on every worker and instance.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, client_hash=client_hash, reason=reason)
    except IntegrityError:
        return False  # this client has reported it already
    counted = comment.reports.all()
    if comment.moderated_at is not None:
        counted = counted.filter(created_at__gt=comment.moderated_at)
    reports = counted.count()
    if reports >= REPORTS_TO_HIDE and not comment.hidden_by_reports:
        comment.hidden_by_reports = True
        comment._change_reason = f"Hidden after {reports} reports"
        comment.save(update_fields=["hidden_by_reports"])
        return True
    return False


def comments_reanchor(*, edition: Edition, batch_size: int = 2000) -> int:
    """Locate the quoted passages that `edition` moves: those in the sections whose text
    it changes (their text_since is this edition), and those whose section it leaves out,
    which are lost. Comments on a text the edition keeps are not touched: their anchors
    already name where that text first stood. Returns how many comments were looked at.

    Each batch is a transaction of its own, so the database's write lock is held for one
    batch at a time, never for all of them."""
    sections = EditionSection.objects.filter(edition=edition)
    texts = {
        section_id: html_text(body_html)
        for section_id, body_html in sections.filter(text_since=edition).values_list(
            "section_id", "body_html"
        )
    }
    quoted = Comment.objects.exclude(quote="").filter(
        Q(section_id__in=list(texts))
        | (~Q(section_id__in=sections.values("section_id")) & ~Q(anchor_state=AnchorState.LOST))
    )
    quoted = quoted.only(
        "pk", "section_id", "quote", "quote_prefix", "quote_suffix", "anchor_state"
    ).order_by("pk")
    done, after = 0, 0
    while batch := list(quoted.filter(pk__gt=after)[:batch_size]):
        for comment in batch:
            text = texts.get(comment.section_id)
            if text is None:
                comment.anchor_state = AnchorState.LOST
                comment.anchor_start = comment.anchor_end = None
            else:
                anchor = locate(text, comment.quote, comment.quote_prefix, comment.quote_suffix)
                comment.anchor_state = anchor.state
                comment.anchor_start, comment.anchor_end = anchor.start, anchor.end
        with transaction.atomic():
            _store_anchors(batch, edition)
        done, after = done + len(batch), batch[-1].pk
    return done


def _store_anchors(comments: list[Comment], edition: Edition) -> None:
    """Write the anchors of `comments`, located in `edition`, in one UPDATE ... FROM
    (VALUES ...) statement. bulk_update() builds a CASE expression per row and field,
    which cost more than locating the quotes (1.3 ms per comment)."""
    quote = connection.ops.quote_name
    table = quote(Comment._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(comments))
    sql = (
        # VALUES names its columns column1, column2, ... on both databases.
        f"UPDATE {table} SET {quote('anchor_state')} = anchors.column2, "
        f"{quote('anchor_start')} = CAST(anchors.column3 AS integer), "
        f"{quote('anchor_end')} = CAST(anchors.column4 AS integer), "
        f"{quote('anchor_edition_id')} = %s "
        f"FROM (VALUES {rows}) AS anchors "
        f"WHERE {table}.{quote('id')} = CAST(anchors.column1 AS bigint)"
    )
    values = [
        value
        for comment in comments
        for value in (comment.pk, comment.anchor_state, comment.anchor_start, comment.anchor_end)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [edition.pk, *values])


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
    transaction.on_commit(lambda: send_later(send_notification, comment.pk, event))


NOTIFICATION_SUBJECTS: dict[str, StrOrPromise] = {
    Notification.Event.PUBLISHED: gettext_lazy("Your comment has been published"),
    Notification.Event.OUTCOME: gettext_lazy("We have considered your comment"),
    Notification.Event.ADDRESSED: gettext_lazy("Your comment has led to a change in the guide"),
}


def notification_mail(comment: Comment, event: str) -> tuple[str, str]:
    """The subject and body of the e-mail about `event`, in the comment's language."""
    with translation.override(comment.language):
        context = {
            "comment": comment,
            "section": comment.edition_section,
            "site_owner": settings.SITE_OWNER,
            "comment_url": settings.SITE_URL + comment.get_absolute_url(),
            "privacy_url": settings.SITE_URL + reverse("public:privacy"),
        }
        subject = str(NOTIFICATION_SUBJECTS[event])
        body = render_to_string(f"comments/email/{event}.txt", context)
    return subject, body


def send_notification(comment_pk: int, event: str) -> None:
    comment = Comment.objects.select_related(
        "edition_section__edition_chapter", "addressed_in_edition"
    ).get(pk=comment_pk)
    subject, body = notification_mail(comment, event)
    try:
        send_mail(subject, body, None, [comment.email])
    except Exception:  # noqa: BLE001 - the decision is stored; a lost mail is logged
        logger.exception("Could not send the %s notification for comment %s", event, comment_pk)


def _record(comment: Comment, reason: str, user, *, decision: bool = False) -> None:
    if decision:
        comment.moderated_at = timezone.now()
    comment._change_reason = reason
    if user is not None:
        comment._history_user = user
    comment.save()


@transaction.atomic
def comment_publish(*, comment: Comment, user=None) -> None:
    comment.status = Status.PUBLISHED
    comment.withheld_reason = ""
    comment.hidden_by_reports = False
    comment.published_at = comment.published_at or timezone.now()
    _record(comment, "Published", user, decision=True)
    _notify(comment, Notification.Event.PUBLISHED)


@transaction.atomic
def comment_withhold(*, comment: Comment, reason: str, user=None) -> None:
    """Withhold a comment from the public, with one of WithheldReason's reasons."""
    if reason not in WithheldReason.values:
        raise ValueError(f"Unknown reason for withholding: {reason!r}")
    comment.status = Status.WITHHELD
    comment.withheld_reason = reason
    comment.hidden_by_reports = False
    _record(comment, f"Withheld: {reason}", user, decision=True)


def _published_answer(comment: Comment) -> tuple[str, str, str]:
    return (comment.outcome, comment.outcome_explanation, comment.response)


@transaction.atomic
def comment_answer_save(
    *,
    comment: Comment,
    outcome: str,
    explanation: str = "",
    response: str = "",
    user=None,
) -> bool:
    """Keep an outcome and response as a draft answer: not public, nobody is told.

    An answer the same as the published one is no draft: it is cleared instead.
    Returns whether a draft is now waiting to be published."""
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome: {outcome!r}")
    if (outcome, explanation, response) == _published_answer(comment):
        if not comment.has_draft_answer:
            return False
        comment.draft_outcome = comment.draft_explanation = comment.draft_response = ""
        comment.draft_saved_at = comment.draft_saved_by = None
        _record(comment, "Draft answer discarded", user)
        return False
    unchanged = comment.has_draft_answer and (
        comment.draft_outcome,
        comment.draft_explanation,
        comment.draft_response,
    ) == (outcome, explanation, response)
    if unchanged:
        return True
    comment.draft_outcome = outcome
    comment.draft_explanation = explanation
    comment.draft_response = response
    comment.draft_saved_at = timezone.now()
    comment.draft_saved_by = user
    _record(comment, f"Answer saved as a draft: {outcome}", user)
    return True


class AnswerNotPublishable(Exception):
    """The draft answer cannot be published (yet): the message says why."""


@transaction.atomic
def comment_answer_publish(*, comment: Comment, user=None) -> None:
    """Make the draft answer public and e-mail it to the commenter.

    Only the answer to a public comment is published: its author has been told the
    comment is public, and the answer appears with it."""
    if not comment.has_draft_answer:
        raise AnswerNotPublishable(gettext_lazy("There is no draft answer to publish."))
    if not comment.is_public:
        raise AnswerNotPublishable(
            gettext_lazy("Publish the comment first: an answer is public only with it.")
        )
    if comment.draft_response != comment.response:
        comment.responded_by = user
        comment.responded_at = timezone.now()
    comment.outcome = comment.draft_outcome or comment.outcome
    comment.outcome_explanation = comment.draft_explanation
    comment.response = comment.draft_response
    comment.draft_outcome = comment.draft_explanation = comment.draft_response = ""
    comment.draft_saved_at = comment.draft_saved_by = None
    _record(comment, f"Answer published: {comment.outcome}", user)
    if comment.outcome != Outcome.OPEN:
        _notify(comment, Notification.Event.OUTCOME, comment.outcome)


@transaction.atomic
def comment_respond(*, comment: Comment, user=None, **answer: str) -> None:
    """Save an answer (outcome, explanation, response) and publish it at once (for
    scripts and tests; the admin keeps a draft first, see comment_answer_save and
    comment_answer_publish)."""
    if comment_answer_save(comment=comment, user=user, **answer):
        comment_answer_publish(comment=comment, user=user)


@transaction.atomic
def comments_address(
    *,
    comments: list[Comment],
    revision,
    outcome: str = "",
    explanation: str = "",
    user=None,
) -> None:
    """Link comments to the section revision that addressed them, whatever their
    outcome, and prepare the answer as a draft.

    `outcome` (empty: leave it as it is) and the public `explanation` (empty: leave it
    as it is) go into the draft answer; the editor's change note is never used as the
    public explanation. Nothing is public or mailed here: the answer when a moderator
    publishes it, "your comment led to a change" when the edition with the revision is
    published (comments_mark_addressed)."""
    for comment in comments:
        comment.addressed_in_revision = revision
        _record(comment, "Linked to the revision that addresses it", user)
        if comment.has_draft_answer:
            current = (comment.draft_outcome, comment.draft_explanation, comment.draft_response)
        else:
            current = _published_answer(comment)
        comment_answer_save(
            comment=comment,
            outcome=outcome or current[0],
            explanation=explanation or current[1],
            response=current[2],
            user=user,
        )


def _change_undone(revision, published_body: str) -> bool:
    """Whether the text `revision` changed was put back before this edition: the edition
    then does not hold the change, and the author is not told it does."""
    before = revision.prev_record
    return before is not None and before.body != revision.body and published_body == before.body


@transaction.atomic
def comments_mark_addressed(*, edition: Edition) -> int:
    """Link comments addressed by a revision to the first edition that publishes it, and
    tell their authors ("your comment led to a change"), unless the change was undone."""
    bodies = dict(EditionSection.objects.filter(edition=edition).values_list("section_id", "body"))
    waiting = [
        comment
        for comment in Comment.objects.filter(
            addressed_in_revision__isnull=False,
            addressed_in_edition__isnull=True,
            section_id__in=list(bodies),
        ).select_related("addressed_in_revision")
        if not _change_undone(comment.addressed_in_revision, bodies[comment.section_id])
    ]
    for comment in waiting:
        comment.addressed_in_edition = edition
        _record(comment, f"Addressed in edition {edition.number}", None)
        if comment.is_public:
            _notify(comment, Notification.Event.ADDRESSED, edition.number)
    return len(waiting)


# Personal data housekeeping ----------------------------------------------------------

# What a report's client hash becomes once deleted (followed by the report's id).
PURGED_REPORT_PREFIX = "purged-"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if
    that month is shorter)."""
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _outcome_set_at():
    """When a comment first got an outcome other than "open", from its history."""
    HistoricalComment = Comment.history.model
    return Subquery(
        HistoricalComment.objects.filter(id=OuterRef("pk"))
        .exclude(outcome=Outcome.OPEN)
        .order_by("history_date")
        .values("history_date")[:1]
    )


@transaction.atomic
def personal_data_purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete personal data kept longer than the privacy page promises (the RETAIN_*
    settings). Returns how many rows of each kind were (or, with dry_run, would be)
    changed. Idempotent: a second run the same day finds nothing."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = now or timezone.now()
    hash_cutoff = now - timedelta(days=settings.RETAIN_CLIENT_HASH_DAYS)
    email_cutoff = months_before(now, settings.RETAIN_EMAIL_MONTHS)
    login_cutoff = now - timedelta(days=settings.RETAIN_LOGIN_RECORDS_DAYS)

    comment_hashes = Comment.objects.exclude(client_hash="").filter(created_at__lt=hash_cutoff)
    report_hashes = Report.objects.filter(created_at__lt=hash_cutoff).exclude(
        client_hash__startswith=PURGED_REPORT_PREFIX
    )
    emails = (
        Comment.objects.exclude(email="")
        .annotate(outcome_at=_outcome_set_at())
        .filter(
            models.Q(outcome=Outcome.OPEN, created_at__lt=email_cutoff)
            | (~models.Q(outcome=Outcome.OPEN) & models.Q(outcome_at__lt=email_cutoff))
            # An outcome set without a history record (bulk imports): go by receipt.
            | (
                ~models.Q(outcome=Outcome.OPEN)
                & models.Q(outcome_at__isnull=True, created_at__lt=email_cutoff)
            )
        )
    )
    login_records = [
        model.objects.filter(attempt_time__lt=login_cutoff)
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    ]
    # The daily keys client hashes are made with (comments/client.py): normally deleted
    # as each new day's key is made; this catches days without any comment.
    old_keys = ClientKey.objects.filter(day__lte=now.date() - timedelta(days=KEY_DAYS))
    counts = {
        "comment_client_hashes": comment_hashes.count(),
        "report_client_hashes": report_hashes.count(),
        "comment_emails": emails.count(),
        "login_records": sum(records.count() for records in login_records),
        "client_keys": old_keys.count(),
    }
    if dry_run:
        return counts
    comment_hashes.update(client_hash="")
    # A report's hash keeps one client from reporting a comment twice: once it is
    # deleted, a unique placeholder keeps the report (and the count) without it.
    report_hashes.update(
        client_hash=Concat(Value(PURGED_REPORT_PREFIX), Cast("pk", models.CharField()))
    )
    Comment.objects.filter(pk__in=emails.values("pk")).update(email="")
    for records in login_records:
        records.delete()
    old_keys.delete()
    return counts


# The name an erased commenter's comments are shown with, in the comment's language.
NAME_REMOVED = gettext_lazy("Name removed")


@transaction.atomic
def commenter_erase(
    *, email: str = "", comment_ids: Iterable[int] = (), dry_run: bool = False
) -> dict[str, int]:
    """Erase a commenter's name and e-mail address from every comment written with
    `email` (any letter case) and from the comments `comment_ids` (for an address
    already purged), history included; the text stays, as a public record. Their
    comments show "Navn fjernet" / "Namn fjerna" / "Name removed", in the language each
    was written in. Returns how many comments and history records were (or would be)
    changed."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    address = email.strip()
    chosen = models.Q(pk__in=list(comment_ids))
    if address:
        chosen |= models.Q(email__iexact=address)
    comments = list(Comment.objects.filter(chosen).order_by("pk"))
    pks = [comment.pk for comment in comments]
    history = Comment.history.filter(id__in=pks)
    counts = {"comments": len(comments), "history_records": history.count()}
    if dry_run or not comments:
        return counts
    comment_type = ContentType.objects.get_for_model(Comment)
    for comment in comments:
        with translation.override(comment.language):
            placeholder = str(NAME_REMOVED)
        comment.name = placeholder
        comment.email = ""
        comment.client_hash = ""
        comment._change_reason = "Name and e-mail address erased on request"
        comment.save()
        history.filter(id=comment.pk).update(name=placeholder)
        # The admin's log keeps each object's str() (name and text) as it was.
        LogEntry.objects.filter(content_type=comment_type, object_id=str(comment.pk)).update(
            object_repr=str(comment)[:200]
        )
    return counts
