from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tools for developers (`manage.py benchmark`): installed only with debug on, and
    left out of the production image (.dockerignore)."""

    name = "devtools"
