"""The editors' admin: the working draft, its history, previews and publishing."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget
from simple_history.admin import SimpleHistoryAdmin

from guide.cache import guide_changed
from guide.changes import compare, draft_state, edition_state
from guide.checks import check_markdown, draft_summary
from guide.models import Chapter, ChapterKind, Edition, Section
from guide.services import edition_number_problem, edition_publish

MARKDOWN_WIDGETS = {models.TextField: {"widget": AdminMarkdownxWidget}}


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
            self.data = self.data.copy()
            self.data[self.add_prefix("base_revision")] = stored.revision
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


class ChangeNoteAdmin(SimpleHistoryAdmin):
    form = ChangeNoteForm
    formfield_overrides = MARKDOWN_WIDGETS

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


class SectionChecksMixin:
    """Refuses a section text that fails the accessibility checks (guide/checks.py);
    its warnings are shown, never blocking."""

    def clean(self):
        data = super().clean()
        for finding in check_markdown(data.get("body") or "").refusals:
            self.add_error("body", finding.message)
        return data


class SectionInlineForm(SectionChecksMixin, RevisionCheckForm):
    pass


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionInlineForm
    extra = 0
    fields = ("heading", "slug", "order", "is_active", "body", "base_revision")
    prepopulated_fields = {"slug": ("heading",)}
    formfield_overrides = MARKDOWN_WIDGETS
    show_change_link = True


@admin.register(Chapter)
class ChapterAdmin(ChangeNoteAdmin):
    list_display = ("title", "kind", "order", "slug", "is_active", "section_count")
    list_filter = ("kind", "is_active")
    list_editable = ()
    search_fields = ("title", "slug", "intro", "organisation")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [SectionInline]
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "order", "is_active", "intro")}),
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
            "preview": True,
            "is_current": True,
            "edition": Edition.objects.current(),
            "preview_back_url": reverse("admin:guide_chapter_change", args=[chapter.pk]),
        }
        return render(request, "guide/chapter_detail.html", context)


@admin.register(Section)
class SectionAdmin(ChangeNoteAdmin):
    list_display = ("heading", "chapter", "order", "slug", "is_active")
    list_filter = ("chapter__kind", "is_active", "chapter")
    list_select_related = ("chapter",)
    search_fields = ("heading", "slug", "body")
    prepopulated_fields = {"slug": ("heading",)}
    fields = (
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


class PublishForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20, help_text=_("For example 1.0."))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary of changes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("What is new, in plain language. Shown publicly with the edition."),
    )
    comment_opens = forms.DateTimeField(
        label=_("Comments open"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave both empty if this edition is not out for comment."),
    )
    comment_closes = forms.DateTimeField(
        label=_("Comments close"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        problem = edition_number_problem(number)
        if problem:
            raise ValidationError(problem)
        return number

    def clean(self):
        data = super().clean()
        opens, closes = data.get("comment_opens"), data.get("comment_closes")
        if bool(opens) != bool(closes):
            raise ValidationError(
                _("Give both when comments open and when they close, or neither.")
            )
        if opens and closes and closes <= opens:
            self.add_error("comment_closes", _("The deadline must be after the opening time."))
        return data


@admin.register(Edition)
class EditionAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "published_at", "published_by", "comment_closes")
    search_fields = ("number", "title", "summary")
    list_select_related = ("published_by",)
    readonly_fields = ("number", "title", "summary", "published_at", "published_by")
    fields = readonly_fields + ("comment_opens", "comment_closes")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(guide_changed)

    def has_add_permission(self, request):
        # Editions are made by publishing (see publish_view), never typed in.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("publish/", publish, name="guide_edition_publish")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("guide.add_edition"),
        }
        return super().changelist_view(request, extra_context)

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        """Publish a new edition: a form, then a confirmation listing what changed."""
        if not request.user.has_perm("guide.add_edition"):
            raise PermissionDenied
        current = Edition.objects.current()
        form = PublishForm(request.POST or None)
        confirmed = request.method == "POST" and "confirm" in request.POST
        if request.method == "POST" and form.is_valid() and confirmed:
            try:
                edition = edition_publish(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Edition %(number)s is published and is now the current version.")
                    % {"number": edition.number},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:guide_edition_changelist"))
        changes = [
            change
            for change in compare(edition_state(current) if current else {}, draft_state())
            if change.status != "unchanged"
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Publish a new edition"),
            "form": form,
            "current": current,
            "changes": changes,
            "confirming": request.method == "POST" and form.is_valid() and not confirmed,
            "kinds": ChapterKind,
            "text_checks": draft_summary(),  # guide/checks.py, shown per chapter
        }
        return render(request, "admin/guide/edition/publish.html", context)
