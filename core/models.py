"""What the shared infrastructure keeps in the database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """What the public pages were made from, as a number per kind of content.

    Database triggers (core/versions.py, installed after every migrate) change a row in the
    same transaction as what it stands for: "guide" when an edition is added, changed
    or removed, "comments" when anything about a published comment changes. Cached
    pages are keyed by these numbers, so a committed change can never be hidden by a
    cache, whichever process, command or instance made it. Values only grow: they are
    at least the time of the change in microseconds, so even a database that was
    emptied and restored never reuses an old value.
    """

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "guide_contentversion"  # kept from when it lived in guide
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class ClientKey(models.Model):
    """The random secret that client hashes are made with on one day (core/client.py).
    Deleted after two days, so a stored hash can no longer be traced to an address."""

    day = models.DateField(primary_key=True)
    secret = models.CharField(max_length=64)

    class Meta:
        db_table = "comments_clientkey"  # kept from when it lived in comments
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")

    def __str__(self) -> str:
        return str(self.day)
