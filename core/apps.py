from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What several apps share and no app owns: the page cache and the content versions
    it is keyed by, rate limits, the client's daily hash, Markdown rendering and the
    mail outbox. It imports no other app of the project; they tell it what to watch."""

    name = "core"
    verbose_name = _("Shared infrastructure")

    def ready(self) -> None:
        from core.versions import install_triggers

        post_migrate.connect(install_triggers, sender=self, dispatch_uid="core.versions")
