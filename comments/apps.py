from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from core import versions

        # Only comments that are or were published change public pages: a pending one
        # arriving leaves every cached page as it is.
        versions.watch(
            self.get_model("Comment")._meta.db_table,
            version="comments",
            condition="status = 'published'",
        )
