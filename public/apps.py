from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public pages that show the guide and its comments together: the guide's
    chapters and sections with their comments and form, compare, search, the API,
    feeds and the sitemap. It reads the other apps; none of them reads it."""

    name = "public"
    verbose_name = _("Public pages")
