from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive copies")

    def ready(self) -> None:
        from archive.services import on_edition_published
        from guide.signals import edition_published

        edition_published.connect(on_edition_published, dispatch_uid="archive.on_publish")
