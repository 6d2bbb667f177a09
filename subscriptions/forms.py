from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guide.models import EditionChapter

EVERY_EDITION = "alle"


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_(
            "Never shown to anyone. We delete it when you unsubscribe, or after a week "
            "if you do not confirm."
        ),
        error_messages={
            "required": _("Write your e-mail address."),
            "invalid": _("Write the e-mail address as name@example.no."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    what = forms.ChoiceField(
        label=_("What do you want to hear about?"),
        error_messages={"invalid_choice": _("Choose every new version or one of the chapters.")},
    )

    def __init__(self, *args, chapters: list[EditionChapter], **kwargs):
        super().__init__(*args, **kwargs)
        self.chapters = {str(c.chapter_id): c for c in chapters}
        what = self.fields["what"]
        assert isinstance(what, forms.ChoiceField)
        what.choices = [(EVERY_EDITION, _("Every new version of the guide"))] + [
            (key, _("Changes to “%(title)s”") % {"title": c.title})
            for key, c in self.chapters.items()
        ]

    def clean_what(self) -> int | None:
        """The chapter's identity, or None for every new edition."""
        value = self.cleaned_data["what"]
        return None if value == EVERY_EDITION else int(value)
