from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Archive copies")

    def ready(self) -> None:
        from core import versions

        # Pages that link to an edition's PDF show its size: a new copy changes them.
        versions.watch(self.get_model("Document")._meta.db_table, version="guide")
