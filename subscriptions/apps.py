from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        from guide.signals import edition_published
        from subscriptions.services import on_edition_published

        edition_published.connect(on_edition_published, dispatch_uid="subscriptions.on_publish")
