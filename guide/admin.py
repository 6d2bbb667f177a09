"""The editors' admin: the working draft, its history, previews and publishing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget

from guide.admin_history import ReadableHistoryAdmin
from guide.checks import check_markdown
from guide.models import Chapter, Edition, Section

if TYPE_CHECKING:
    from django.http import QueryDict
    from django_stubs_ext import StrOrPromise


class EditorWidget(AdminMarkdownxWidget):
    """markdownx's editor with its live preview beside the text, under a heading that
    says what it is. Rendered with the project's templates (the form renderer only
    sees Django's own and the apps' templates)."""

    template_name = "admin/markdownx_widget.html"

    def _render(self, template_name, context, renderer=None):
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - escaped template


MARKDOWN_WIDGETS = {models.TextField: {"widget": EditorWidget}}


class RevisionCheckForm(forms.ModelForm):
    """Refuses a save based on an older revision than the one stored: two editors who
    open the same text never silently overwrite each other. The refused editor keeps
    their text in the form and sees what the other editor saved."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # From the database, not the instance: a revert form's instance is an old
            # version, but the save it makes builds on the current one.
            current = type(self.instance).objects.filter(pk=self.instance.pk)
            self.fields["base_revision"].initial = current.values_list(
                "revision", flat=True
            ).first()

    def clean(self):
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
        if not self.instance.pk or not self.has_changed():
            return data
        # Lock the row until this save commits (a no-op on SQLite, where the admin's
        # immediate transaction already holds the write lock).
        stored = type(self.instance).objects.select_for_update().get(pk=self.instance.pk)
        base = data.get("base_revision")
        if base is not None and base != stored.revision:
            record = stored.history.first()
            who = str(record.history_user) if record and record.history_user else _("someone")
            self.conflict = stored
            # Let the next save, after the editor has merged by hand, go through.
            self.data = posted = cast("QueryDict", self.data).copy()
            posted[self.add_prefix("base_revision")] = stored.revision
            raise ValidationError(
                _(
                    "%(who)s saved this while you were editing it. Nothing has been "
                    "overwritten: your text is still in the form below. Their version: "
                    "%(theirs)s — Compare, merge what you need, and save again."
                ),
                params={"who": who, "theirs": self._describe(stored)},
                code="conflict",
            )
        self.instance.revision = stored.revision + 1
        return data

    def _describe(self, stored) -> str:
        text_field = "body" if hasattr(stored, "body") else "intro"
        return f"«{getattr(stored, text_field)}»"


class ChangeNoteForm(RevisionCheckForm):
    """Every editor save says what changed and why: it goes into the public history."""

    change_note = forms.CharField(
        label=_("Change note"),
        max_length=255,
        help_text=_("What did you change, and why? Saved in the history with your name."),
        widget=forms.TextInput(attrs={"size": 80}),
    )


class ChangeNoteAdmin(ReadableHistoryAdmin):
    form = ChangeNoteForm
    formfield_overrides = MARKDOWN_WIDGETS

    def get_fieldsets(self, request, obj=None):
        """Without the right to change, the form-only fields (the change note, the
        comments to tick) would show as untranslated labels with "None": leave them out."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        model_fields = {f.name for f in self.model._meta.get_fields()}
        readable = set(self.readonly_fields) | model_fields
        trimmed = []
        for name, options in fieldsets:
            fields = [f for f in options["fields"] if f in readable]
            if fields:
                trimmed.append((name, {**options, "fields": fields}))
        return trimmed

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_note"]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        note = form.cleaned_data["change_note"]
        for instance in formset.save(commit=False):
            instance._change_reason = note
            instance._history_user = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance._change_reason = note
            instance._history_user = request.user
            instance.delete()


class SectionChecksMixin(forms.BaseForm):
    """Refuses a section text that fails the accessibility checks (guide/checks.py);
    its warnings are shown, never blocking."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for finding in check_markdown(data.get("body") or "").refusals:
            self.add_error("body", str(finding.message))
        return data


@admin.register(Chapter)
class ChapterAdmin(ChangeNoteAdmin):
    list_display = ("title", "kind", "order", "slug", "is_active", "section_count")
    list_filter = ("kind", "is_active")
    list_editable = ()
    search_fields = ("title", "slug", "intro", "organisation")
    prepopulated_fields = {"slug": ("title",)}
    # One section per page: the chapter form lists its sections as links to their own
    # editor instead of holding every section inline (a 12,000 px page).
    readonly_fields = ("section_links",)
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "order", "is_active", "intro")}),
        (_("Sections"), {"fields": ("section_links",)}),
        (_("Case studies"), {"fields": ("organisation", "channels"), "classes": ("collapse",)}),
        (_("Save"), {"fields": ("change_note", "base_revision")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_sections=models.Count("sections", filter=models.Q(sections__is_active=True))
            )
        )

    @admin.display(description=_("sections"), ordering="active_sections")
    def section_count(self, obj: Chapter) -> int:
        return obj.active_sections

    @admin.display(description=_("Sections, each edited on its own page"))
    def section_links(self, obj: Chapter) -> StrOrPromise:
        if not obj.pk:
            return _("Save the chapter first, then add its sections.")
        return render_to_string(
            "admin/guide/chapter/section_links.html",
            {
                "chapter": obj,
                "sections": obj.sections.order_by("order", "pk"),
                "add_url": reverse("admin:guide_section_add") + f"?chapter={obj.pk}",
            },
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:object_id>/preview/", preview, name="guide_chapter_preview"),
        ] + super().get_urls()

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The working draft of a chapter as the public will see it once published."""
        chapter = get_object_or_404(Chapter, pk=object_id)
        if not self.has_view_or_change_permission(request, chapter):
            raise PermissionDenied
        sections = list(chapter.sections.active().order_by("order", "pk"))
        context = {
            "chapter": chapter,
            "sections": sections,
            "edition": Edition.objects.current(),
            "preview_back_url": reverse("admin:guide_chapter_change", args=[chapter.pk]),
        }
        return render(request, "admin/guide/chapter/preview.html", context)


class SectionAdmin(ChangeNoteAdmin):
    """Registered by comments.admin, whose form adds the comments a change answers."""

    list_display = ("heading", "chapter", "order", "slug", "is_active")
    list_filter = ("chapter__kind", "is_active", "chapter")
    list_select_related = ("chapter",)
    search_fields = ("heading", "slug", "body")
    prepopulated_fields = {"slug": ("heading",)}
    fields: tuple[str, ...] | None = (
        "chapter",
        "heading",
        "slug",
        "order",
        "is_active",
        "body",
        "change_note",
        "base_revision",
    )
    readonly_fields = ("text_checks",)

    # The accessibility and plain-language checks (guide/checks.py) wrap whatever form
    # and fieldsets this admin or a subclass uses: refusals as errors, warnings shown.
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(f"Checked{form.__name__}", (SectionChecksMixin, form), {})

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "text_checks"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Readability and accessibility"), {"fields": ["text_checks"]})]

    @admin.display(description=_("Checks of the saved text"))
    def text_checks(self, obj: Section | None) -> str:
        return render_to_string(
            "admin/guide/section/checks.html", {"check": check_markdown(obj.body if obj else "")}
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for finding in check_markdown(obj.body).warnings:
            self.message_user(request, finding.message, messages.WARNING)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """One section per page: links back to its chapter and on to its neighbours."""
        section = Section.objects.filter(pk=object_id).select_related("chapter").first()
        if section is not None:
            siblings = list(
                Section.objects.filter(chapter_id=section.chapter_id)
                .order_by("order", "pk")
                .values_list("pk", "heading")
            )
            at = next(i for i, (pk, _heading) in enumerate(siblings) if pk == section.pk)
            extra_context = {
                **(extra_context or {}),
                "section_chapter": section.chapter,
                "previous_section": siblings[at - 1] if at > 0 else None,
                "next_section": siblings[at + 1] if at + 1 < len(siblings) else None,
            }
        return super().change_view(request, object_id, form_url, extra_context)
