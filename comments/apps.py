from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from comments.services import on_edition_published
        from guide.signals import edition_published

        edition_published.connect(on_edition_published, dispatch_uid="comments.on_publish")
