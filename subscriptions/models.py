"""E-mail when the guide changes: a new edition, or a change to one chosen chapter.

An address is kept only while it is wanted: unconfirmed requests are purged after the
confirmation link has expired, and unsubscribing deletes the row. Addresses are never
shown on a public page, in a feed or in an export.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guide.models import Chapter, Edition


def new_key() -> str:
    return secrets.token_urlsafe(24)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=True)


class Subscription(models.Model):
    email = models.EmailField(_("e-mail"))
    chapter = models.ForeignKey(
        Chapter,
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        help_text=_("Empty: every new edition. Else: new editions that change this chapter."),
    )
    language = models.CharField(_("language"), max_length=8, default="nb")
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Who asked, as the comment rate limits count clients (comments/client.py): kept
    # only until the address is confirmed (or deleted unconfirmed after a week).
    client_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(chapter__isnull=True),
                name="subscription_editions_once",
            ),
            models.UniqueConstraint(
                fields=["email", "chapter"],
                condition=models.Q(chapter__isnull=False),
                name="subscription_chapter_once",
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at", "created_at"], name="subscription_state")]

    def __str__(self) -> str:
        return f"Subscription {self.pk} ({self.chapter_id or 'every edition'})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Delivery(models.Model):
    """One mail about one edition to one subscription: never a second."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mail sent to a subscriber")
        verbose_name_plural = _("mails sent to subscribers")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "edition"], name="delivery_once_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.edition_id}"
