"""PDF copies for archives: each edition of the guide, and the report of each round.

An edition's PDF is made once, when the edition is published, and never again: its
bytes are part of the public record. A round's report changes while moderators record
outcomes, so its PDF carries the fingerprint of the comment history it was made from
and is made again when that history has moved on.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guide.models import Edition


class DocumentKind(models.TextChoices):
    EDITION = "edition", _("The guide")
    REPORT = "report", _("Consultation report")


class Document(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="arkiv/")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Reports: the state of the comments the file was made from.",
    )
    made_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("PDF copy")
        verbose_name_plural = _("PDF copies")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="document_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.edition_id}"
