from django.urls import register_converter

from guide.models import EDITION_NUMBER_PATTERN


class EditionNumberConverter:
    regex = EDITION_NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered once, when this module is first imported by any URLconf.
register_converter(EditionNumberConverter, "edition")
