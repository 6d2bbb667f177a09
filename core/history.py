"""What the guide's and the comments' models share about who changed a row, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


class Recorded:
    """A model whose changes django-simple-history records (`history = HistoricalRecords()`).

    Set before save() for the history record: the reason shown in the admin's history,
    and the user where there is no request to take it from (services, commands)."""

    _change_reason: str
    _history_user: object


def staff_member(verbose_name: StrOrPromise) -> models.ForeignKey[User | None, User | None]:
    """The staff member who did something to a row. Deleting their account empties the
    field and keeps the row: what they did still happened. No reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
