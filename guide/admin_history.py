"""History in the admin that editors and moderators can read: field labels, choice
labels instead of raw values, local Norwegian-format times, word-level diffs of text,
and the same diff before restoring an old version."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

from accounts.admin_permissions import HistoryAdmin
from guide.diff import word_diff

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Unchanged text longer than this is shortened to its ends in a diff.
CONTEXT_CHARS = 60
# Fields shown in full in a word diff rather than as "old → new".
LONG_TEXT = 80


def display_value(field: models.Field, value: Any) -> str:
    """A field's value as a person reads it: labels, not stored codes."""
    if value is None or value == "":
        return _("(empty)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _shorten(text: str, *, start: bool, end: bool) -> str:
    """Shorten an unchanged run to the words next to the changes around it."""
    if len(text) <= 2 * CONTEXT_CHARS:
        return text
    head = text[:CONTEXT_CHARS].rsplit(" ", 1)[0] if not start else ""
    tail = text[-CONTEXT_CHARS:].split(" ", 1)[-1] if not end else ""
    return f"{head} … {tail}".strip() if head or tail else "…"


def word_diff_html(old: str, new: str) -> SafeString:
    """`old` to `new` word by word, <del> and <ins> labelled for screen readers."""
    ops = word_diff(old, new)
    parts = []
    for index, (op, text) in enumerate(ops):
        if op == "equal":
            first, last = index == 0, index == len(ops) - 1
            parts.append(format_html("{}", _shorten(text, start=first, end=last)))
        else:
            tag, label = ("del", _("removed:")) if op == "delete" else ("ins", _("added:"))
            parts.append(
                format_html(
                    '<{}><span class="sr-only">[{} </span>{}<span class="sr-only">]</span></{}>',
                    tag,
                    label,
                    text,
                    tag,
                )
            )
    return format_html('<span class="word-diff">{}</span>', SafeString("".join(parts)))


def is_long_text(field: models.Field, old: str, new: str) -> bool:
    return isinstance(field, models.TextField) or max(len(old), len(new)) > LONG_TEXT


@dataclasses.dataclass
class FieldChange:
    field: StrOrPromise
    old: str
    new: str
    diff: SafeString | None = None


def field_change(field: models.Field, old: Any, new: Any) -> FieldChange:
    label = capfirst(field.verbose_name)
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        old_text, new_text = old or "", new or ""
        if is_long_text(field, old_text, new_text):
            return FieldChange(label, old_text, new_text, word_diff_html(old_text, new_text))
    return FieldChange(label, display_value(field, old), display_value(field, new))


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta) -> list[dict[str, Any]]:
        changes = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            changes.append(dataclasses.asdict(field_change(field, change.old, change.new)))
        return changes


class ReadableHistoryAdmin(HistoryAdmin):
    """SimpleHistoryAdmin with readable deltas, change reasons in the reader's language
    and a diff of what restoring an old version would change."""

    # Fields never shown in a diff: computed, or bookkeeping.
    history_hidden_fields: tuple[str, ...] = ("revision", "intro_html", "body_html")

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def change_reason_display(self, reason: str | None) -> str:
        """The stored change reason as the reader should see it (override to translate
        reasons the code writes)."""
        return reason or ""

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        hidden = {capfirst(self.model._meta.get_field(f).verbose_name) for f in self._hidden()}
        for record in historical_records:
            record.reason_display = self.change_reason_display(record.history_change_reason)
            changes = getattr(record, "history_delta_changes", None)
            if changes:
                record.history_delta_changes = [c for c in changes if c["field"] not in hidden]

    def _hidden(self) -> list[str]:
        names = {f.name for f in self.model._meta.fields}
        return [f for f in self.history_hidden_fields if f in names]

    def restore_changes(self, current: models.Model, version: models.Model) -> list[FieldChange]:
        """What restoring `version` changes in `current`, field by field."""
        changes = []
        for field in self.model._meta.fields:
            if not field.editable or field.primary_key or field.name in self._hidden():
                continue
            old, new = field.value_from_object(current), field.value_from_object(version)
            if old == new:
                continue
            if isinstance(field, models.ForeignKey):
                old = getattr(current, field.name, None)
                new = getattr(version, field.name, None)
            changes.append(field_change(field, old, new))
        return changes

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        current = self.model._default_manager.filter(pk=object_id).first()
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        record = history.filter(pk=version_id).first()
        extra_context = dict(extra_context or {})
        if current is not None and record is not None:
            extra_context["restore_changes"] = self.restore_changes(current, record.instance)
            extra_context["restore_version_date"] = record.history_date
        return super().history_form_view(request, object_id, version_id, extra_context)
