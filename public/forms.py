"""Forms of the public pages that are not about comments."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from guide.models import EDITION_NUMBER_PATTERN, Edition

_EDITION_NUMBER = re.compile(EDITION_NUMBER_PATTERN)


class EditionChoiceField(forms.ChoiceField):
    """An edition chosen by its number from a list already read: no query of its own.
    Cleans to the Edition."""

    default_error_messages = {
        # Only a well-formed number is repeated back; anything else gets the plain advice.
        "invalid_choice": _("There is no version %(number)s."),
        "not_a_number": _("Choose a version from the list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.editions: dict[str, Edition] = {}

    def set_editions(self, editions: list[Edition]) -> None:
        self.editions = {e.number: e for e in editions}
        self.choices = [(e.number, f"{e.number} – {e.title}") for e in editions]

    def validate(self, value: str) -> None:
        forms.Field.validate(self, value)  # required; ChoiceField's own message is generic
        if value in self.editions:
            return
        if _EDITION_NUMBER.fullmatch(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"number": value},
            )
        raise ValidationError(self.error_messages["not_a_number"], code="not_a_number")

    def clean(self, value: Any) -> Edition:
        return self.editions[super().clean(value)]


class CompareForm(forms.Form):
    """What /endringer/ compares: two editions, by number (`fra`, `til`), and how to show
    the changes (`visning`). What is not asked for is the default: the two newest
    editions, shown in the text."""

    VIEWS = [("inline", _("in the text")), ("side", _("side by side"))]

    fra = EditionChoiceField(label=_("From version"))
    til = EditionChoiceField(label=_("To version"))
    visning = forms.ChoiceField(
        label=_("Show changes"),
        choices=VIEWS,
        error_messages={"invalid_choice": _("Choose how to show the changes.")},
    )

    def __init__(self, query: QueryDict, *, editions: list[Edition]) -> None:
        """`editions` newest first, at least two of them."""
        data = {
            "fra": query.get("fra") or editions[1].number,
            "til": query.get("til") or editions[0].number,
            "visning": query.get("visning") or "inline",
        }
        super().__init__(data)
        for name in ("fra", "til"):
            field = self.fields[name]
            assert isinstance(field, EditionChoiceField)
            field.set_editions(editions)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        old, new = cleaned.get("fra"), cleaned.get("til")
        if old is not None and old == new:
            self.add_error("til", _("Choose two different versions to compare."))
        return cleaned

    def anchor(self, name: str) -> str:
        """The id of the control an error about `name` should lead to."""
        return "visning-inline" if name == "visning" else name

    def error_list(self) -> list[tuple[str, str]]:
        """[(control id, message)] in the order of the fields, for the error summary."""
        return [
            (self.anchor(name), str(message))
            for name in self.fields
            for message in self.errors.get(name, [])
        ]
