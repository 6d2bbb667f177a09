from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = _("Guide")

    def ready(self) -> None:
        from guide.versions import install_triggers

        post_migrate.connect(install_triggers, sender=self, dispatch_uid="guide.versions")
