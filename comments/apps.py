from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments.services import reanchor_on_publish
        from guide.signals import edition_published

        edition_published.connect(reanchor_on_publish, dispatch_uid="comments.reanchor")
