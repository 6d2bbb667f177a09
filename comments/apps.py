from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments import search_index
        from core import versions

        # Only comments that are or were published change public pages: a pending one
        # arriving leaves every cached page as it is.
        versions.watch(
            self.get_model("Comment")._meta.db_table,
            version="comments",
            condition="status = 'published'",
        )
        # SQLite's search index is kept by triggers that stem words in Python.
        connection_created.connect(search_index.register, dispatch_uid="comments.search")
        post_migrate.connect(
            search_index.install_triggers, sender=self, dispatch_uid="comments.search"
        )
