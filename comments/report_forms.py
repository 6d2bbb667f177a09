"""The form a reader fills in to report a published comment.

Kept apart from comments/forms.py (the comment form, with its anti-spam fields) so the
two can change independently; it may move there later.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this comment?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
