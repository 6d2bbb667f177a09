import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Do once, here, what each process would otherwise do on its first requests: the
    release digest of the page cache's keys, compiled templates, translation catalogues
    and URL patterns. gunicorn imports this module in its master (preload_app, see
    config/gunicorn.py), so every worker it forks, recycled ones too, starts warm.
    Nothing here touches the database or the cache."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    from core.cache import release

    release()
    folder = Path(settings.BASE_DIR) / "templates"
    for path in folder.rglob("*.html"):
        get_template(path.relative_to(folder).as_posix())
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)  # reads and keeps the language's catalogues
    get_resolver().reverse_dict  # noqa: B018 - fills the reverse lookup tables


_warm_up()
