from guide.models import EDITION_NUMBER_PATTERN


class EditionNumberConverter:
    regex = EDITION_NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
