from __future__ import annotations

import time
import unicodedata
from typing import cast

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from comments.anchoring import clean_quote, normalise
from comments.models import BODY_MAX, BODY_MIN, QUOTE_MAX, Comment
from core.markdown import CONTROL_CHARACTERS

SHOWN_SALT = "comments.form-shown"
SHOWN_MAX_AGE = 24 * 3600


def shown_token(at: float | None = None) -> str:
    """A signed note of when a comment form was shown."""
    return signing.dumps(int(time.time() if at is None else at), salt=SHOWN_SALT)


class ShownAtInput(forms.HiddenInput):
    """Always renders a fresh token: a form shown again (with errors) starts a new clock,
    while validation reads the token that was sent."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, shown_token(), attrs)


def strip_format_characters(value: str) -> str:
    """Drop Unicode format characters (category Cf: zero-width spaces and joiners,
    bidi marks, embeddings, overrides and isolates). In a name they hide nothing worth
    keeping and can make a name look empty, or reorder the text shown after it."""
    return "".join(char for char in value if unicodedata.category(char) != "Cf")


class CommentForm(forms.ModelForm):
    """A comment or a reply. Comments are plain text: nothing is ever rendered as HTML."""

    quote_prefix = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    quote_suffix = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    # Anti-spam, invisible to people: when the form was shown, and a field that only
    # programs fill in (templates/comments/_form.html hides it from everyone).
    shown = forms.CharField(required=False, widget=ShownAtInput)
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Comment
        fields = ["quote", "body", "name", "organisation", "email"]  # the order shown
        labels = {
            "name": _("Your name"),
            "organisation": _("On behalf of an organisation (optional)"),
            "email": _("E-mail (optional)"),
            "quote": _("The passage you are commenting on (optional)"),
            "body": _("Your comment"),
        }
        help_texts = {
            "name": _("Shown with your comment."),
            "organisation": _("Only if you write on behalf of an organisation. Shown publicly."),
            "email": _(
                "Never shown. We use it to send you a receipt and to tell you what "
                "happened to your comment."
            ),
            "quote": _("Copy the words from the text above that your comment is about."),
            "body": _("Between 10 and 5000 characters. Plain text: no formatting."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "quote": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }
        error_messages = {
            "name": {"required": _("Write your name. It is shown with the comment.")},
            "email": {
                "invalid": _("Write the e-mail address as name@example.no, or leave it empty.")
            },
            "body": {"required": _("Write your comment.")},
        }

    def __init__(self, *args, section_text: str | None = None, reply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_text = section_text
        cast(forms.CharField, self.fields["name"]).max_length = 100
        if reply:
            for name in ("quote", "quote_prefix", "quote_suffix"):
                del self.fields[name]
            self.fields["body"].label = _("Your reply")

    def clean_name(self) -> str:
        name = " ".join(strip_format_characters(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("Write your name. It is shown with the comment."))
        return name

    def clean_organisation(self) -> str:
        return " ".join(strip_format_characters(self.cleaned_data["organisation"]).split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
        for name, value in list(data.items()):
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                self.add_error(name, _("The text contains characters we cannot store."))
        self._check_sent_by_a_person(data.pop("shown", ""), data.pop("website", ""))
        return data

    def _check_sent_by_a_person(self, shown: str, website: str) -> None:
        if website:
            raise forms.ValidationError(
                _(
                    "The form was filled in in a way only programs do, so it was not sent. "
                    "Send it again: what you wrote is kept below."
                ),
                code="honeypot",
            )
        try:
            age = time.time() - int(signing.loads(shown, salt=SHOWN_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            age = None  # missing or altered
        if age is None or not -60 < age < SHOWN_MAX_AGE:
            raise forms.ValidationError(
                _("The form had expired. Send it again: what you wrote is kept below."),
                code="expired",
            )
        if age < settings.COMMENT_MIN_SECONDS:
            raise forms.ValidationError(
                _(
                    "The form was sent only a moment after it was shown, as programs do. "
                    "Wait a few seconds and send it again: what you wrote is kept below."
                ),
                code="too_fast",
            )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if len(body) < BODY_MIN:
            raise forms.ValidationError(
                _("The comment is too short: write at least %(min)s characters (you wrote %(n)s).")
                % {"min": BODY_MIN, "n": len(body)}
            )
        if len(body) > BODY_MAX:
            raise forms.ValidationError(
                _("The comment is too long: at most %(max)s characters (you wrote %(n)s).")
                % {"max": BODY_MAX, "n": len(body)}
            )
        return body

    def clean_quote(self) -> str:
        quote = clean_quote(self.cleaned_data.get("quote", ""))
        if len(quote) > QUOTE_MAX:
            raise forms.ValidationError(
                _("The quoted passage is too long: at most %(max)s characters.")
                % {"max": QUOTE_MAX}
            )
        if quote and self.section_text is not None:
            if quote not in normalise(self.section_text)[0]:
                raise forms.ValidationError(
                    _(
                        "We cannot find this passage in the section. Copy it exactly from "
                        "the text, or leave the field empty."
                    )
                )
        return quote


# Shown above the form, which keeps what was written, when a sender hits a rate limit.
TOO_MANY = _(
    "You have sent many comments in a short time. Wait a few minutes and send "
    "again: what you wrote is kept below."
)
