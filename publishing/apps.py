from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """Publishing a new edition: the admin's publish form and confirmation page, the
    `publish_edition` and `load_guide` commands, and `edition_publish`, which freezes
    the edition (guide) and then has every app that hangs on an edition follow it."""

    name = "publishing"
    verbose_name = _("Publishing")
