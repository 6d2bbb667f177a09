from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Staff who edit and moderate. Members of the public never need an account."""

    class Meta(AbstractUser.Meta):
        # The stubs type AbstractUser.Meta's names as str; Django takes lazy text here.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
