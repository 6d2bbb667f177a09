"""Subscribing, confirming, unsubscribing, and the mail about each new edition."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import ratelimit
from guide.changes import compare, edition_state
from guide.models import Chapter, Edition
from subscriptions.models import Delivery, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
# The confirmation link works this long; an address never confirmed is purged after it.
CONFIRM_MAX_AGE = timedelta(days=7)
# One confirmation mail per address and choice in this time, however often it is asked.
RESEND_AFTER = timedelta(minutes=15)


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.key, salt=CONFIRM_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.key, salt=UNSUBSCRIBE_SALT)


def subscription_from_token(token: str, *, purpose: str) -> Subscription | None:
    """The subscription a signed link names, if the link is genuine and still valid."""
    try:
        if purpose == "confirm":
            key = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        else:
            key = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.select_related("chapter").filter(key=key).first()


def confirm_url(subscription: Subscription) -> str:
    return settings.SITE_URL + reverse("subscriptions:confirm", args=[confirm_token(subscription)])


def unsubscribe_url(subscription: Subscription) -> str:
    path = reverse("subscriptions:unsubscribe", args=[unsubscribe_token(subscription)])
    return settings.SITE_URL + path


def _send(subscription: Subscription, subject: str, template: str, context: dict) -> None:
    """One mail, in the subscriber's language, with one-click unsubscribe (RFC 8058)."""
    leave = unsubscribe_url(subscription)
    with translation.override(subscription.language):
        body = render_to_string(
            template,
            {
                **context,
                "subscription": subscription,
                "unsubscribe_url": leave,
                "site_owner": settings.SITE_OWNER,
                "site_url": settings.SITE_URL,
                "privacy_url": settings.SITE_URL + reverse("public:privacy"),
            },
        )
    message = EmailMessage(
        subject,
        body,
        None,
        [subscription.email],
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


@transaction.atomic
def subscription_request(
    *,
    email: str,
    chapter: Chapter | None,
    language: str,
    client_hashes: Sequence[str] = (),
    now: datetime | None = None,
) -> Subscription:
    """Ask for mail about new editions (or about `chapter`): stores the address
    unconfirmed and sends a confirmation link. Asking again sends the link again, at
    most once in RESEND_AFTER; an address already confirmed gets no mail at all.

    With `client_hashes` (today's first), the comment rate limits apply to requests
    too, counted in the database: RateLimited is raised and nothing stored."""
    now = now or timezone.now()
    if client_hashes:
        ratelimit.lock_client(client_hashes[0])
        recent = Subscription.objects.filter(client_hash__in=client_hashes)
        if ratelimit.over_limit_of(recent, now):
            raise ratelimit.RateLimited
    email = email.strip().lower()
    found = Subscription.objects.select_for_update().filter(email=email, chapter=chapter).first()
    if found is not None and (found.is_confirmed or now - found.created_at < RESEND_AFTER):
        return found
    if found is None:
        try:
            with transaction.atomic():
                found = Subscription.objects.create(
                    email=email,
                    chapter=chapter,
                    language=language,
                    created_at=now,
                    client_hash=client_hashes[0] if client_hashes else "",
                )
        except IntegrityError:  # the same request twice at once: one row, one mail
            return Subscription.objects.get(email=email, chapter=chapter)
    else:
        found.created_at, found.language = now, language
        found.save(update_fields=["created_at", "language"])
    subscription = found
    transaction.on_commit(lambda: send_confirmation(subscription))
    return subscription


def send_confirmation(subscription: Subscription) -> None:
    with translation.override(subscription.language):
        subject = _("Confirm that you want e-mail about the guide")
    try:
        _send(
            subscription,
            subject,
            "subscriptions/email/confirm.txt",
            {"confirm_url": confirm_url(subscription), "days": CONFIRM_MAX_AGE.days},
        )
    except Exception:  # noqa: BLE001 - the visitor can simply ask again
        logger.exception("Could not send a subscription confirmation")


@transaction.atomic
def subscription_confirm(*, subscription: Subscription, now: datetime | None = None) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or timezone.now()
        subscription.client_hash = ""  # no longer needed once the address is confirmed
        subscription.save(update_fields=["confirmed_at", "client_hash"])


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> int:
    """Unsubscribing deletes the address: every subscription it has, so that nothing
    of it is kept and no more mail goes to it."""
    deleted, _by_model = Subscription.objects.filter(email=subscription.email).delete()
    return deleted


@transaction.atomic
def subscriptions_purge_unconfirmed(
    *,
    older_than: timedelta = CONFIRM_MAX_AGE,
    now: datetime | None = None,
    dry_run: bool = False,
) -> int:
    """Delete addresses never confirmed within `older_than`: for purge_personal_data."""
    cutoff = (now or timezone.now()) - older_than
    stale = Subscription.objects.unconfirmed().filter(created_at__lt=cutoff)
    count = stale.count()
    if not dry_run:
        stale.delete()
    return count


def changed_chapters(edition: Edition) -> set[int]:
    """Identities of the chapters that `edition` added, removed or changed since the
    edition before it (every chapter, for the first edition)."""
    previous = Edition.objects.filter(published_at__lt=edition.published_at).newest_first().first()
    old = edition_state(previous) if previous is not None else {}
    return {
        change.current.id
        for change in compare(old, edition_state(edition))
        if change.status != "unchanged"
    }


def subscriptions_notify(*, edition: Edition) -> int:
    """Mail every confirmed subscriber whom `edition` concerns, exactly once each. Safe
    to call again: a delivery is recorded before its mail is sent (so two runs at once
    never both send it) and removed again if the mail could not be sent."""
    chapters = changed_chapters(edition)
    wanted = Subscription.objects.confirmed().select_related("chapter")
    context = {
        "edition": edition,
        "edition_url": settings.SITE_URL + edition.get_absolute_url(),
        "pdf_url": settings.SITE_URL + reverse("archive:edition_pdf", args=[edition.number]),
    }
    sent = 0
    for subscription in wanted.iterator():
        if subscription.chapter_id is not None and subscription.chapter_id not in chapters:
            continue
        try:
            with transaction.atomic():
                Delivery.objects.create(subscription=subscription, edition=edition)
        except IntegrityError:
            continue  # already told about this edition
        with translation.override(subscription.language):
            if subscription.chapter_id is None:
                subject = _("New version %(number)s of the guide") % {"number": edition.number}
            else:
                subject = _("“%(title)s” has changed in version %(number)s") % {
                    "title": subscription.chapter.title,
                    "number": edition.number,
                }
        try:
            _send(subscription, subject, "subscriptions/email/edition.txt", context)
        except Exception:  # noqa: BLE001 - the mail server refused or is down
            # Not sent, so not recorded; stop rather than wait out a dead server once
            # per subscriber. `notify_subscribers --edition N` sends the rest later.
            Delivery.objects.filter(subscription=subscription, edition=edition).delete()
            logger.exception(
                "Could not mail subscribers about edition %s; %s sent so far",
                edition.number,
                sent,
            )
            break
        sent += 1
    return sent


def subscribers_notify_after_commit(*, edition: Edition) -> None:
    """Mail subscribers once the new edition is committed and public."""

    def notify() -> None:
        try:
            subscriptions_notify(edition=edition)
        except Exception:  # noqa: BLE001 - publishing stands; `notify_subscribers` retries
            logger.exception("Could not mail subscribers about edition %s", edition.number)

    transaction.on_commit(notify)
