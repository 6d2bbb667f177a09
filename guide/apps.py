from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    name = "guide"
    verbose_name = _("Guide")

    def ready(self) -> None:
        from core import cache, versions
        from guide import rounds

        # A new, changed or removed edition changes what every public page shows.
        versions.watch(self.get_model("Edition")._meta.db_table, version="guide")
        # The round opens and closes with time alone: its state is part of page keys.
        rounds.read_with_versions()
        cache.vary_on(rounds.page_state)
