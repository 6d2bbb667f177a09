"""The editors' admin: the working draft, its history, previews and publishing."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget

from accounts.models import User
from guide.admin_history import ReadableHistoryAdmin
from guide.changes import compare, draft_state, edition_state
from guide.checks import check_markdown, draft_summary
from guide.models import Chapter, ChapterKind, Edition, Section
from guide.services import (
    RoundPlan,
    edition_number_problem,
    edition_publish,
    round_plan,
    round_plan_text,
    running_round,
)

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


# Dates typed the Norwegian way (dd.mm.åååå tt:mm), whatever the browser's own locale:
# a datetime-local input shows mm/dd/yyyy in an English browser.
DATETIME_INPUT = "%d.%m.%Y %H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_INPUT, "%d.%m.%Y %H.%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _period_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            format=DATETIME_INPUT,
            attrs={"size": 16, "placeholder": _("dd.mm.yyyy hh:mm"), "autocomplete": "off"},
        ),
        help_text=help_text,
    )


def _to_minute(value: datetime | None) -> datetime | None:
    return timezone.localtime(value).replace(second=0, microsecond=0) if value else None


class PublishForm(forms.Form):
    """Number, title, summary, and what happens to the consultation round.

    A running round (open or upcoming) is pre-filled and kept unless the editor chooses
    to end it or to set a new period: leaving the form as it is never ends a round."""

    KEEP, END, NEW = "keep", "end", "new"

    number = forms.CharField(label=_("Number"), max_length=20, help_text=_("For example 1.0."))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary of changes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("What is new, in plain language. Shown publicly with the edition."),
    )
    # Not required: a form sent without a choice keeps the round, as the default does.
    consultation = forms.ChoiceField(
        label=_("The consultation"), widget=forms.RadioSelect, required=False
    )
    comment_opens = _period_field(
        _("Comments open"),
        _(
            "Date and time, for example 01.03.2027 09:00. Leave both empty if this edition "
            "is not out for comment."
        ),
    )
    comment_closes = _period_field(_("Comments close"))

    def __init__(self, *args, current: Edition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.running = current if running_round(current) else None
        if self.running is None:
            del self.fields["consultation"]
            return
        deadline = formats.date_format(
            timezone.localtime(self.running.comment_closes), "DATETIME_FORMAT"
        )
        cast(forms.ChoiceField, self.fields["consultation"]).choices = [
            (
                self.KEEP,
                _("Keep the consultation open until %(deadline)s") % {"deadline": deadline},
            ),
            (self.END, _("End the consultation now")),
            (self.NEW, _("Set a new period (below)")),
        ]
        self.fields["consultation"].initial = self.KEEP
        self.fields["comment_opens"].initial = self.running.comment_opens
        self.fields["comment_closes"].initial = self.running.comment_closes
        self.fields["comment_opens"].help_text = _(
            "Pre-filled with the running round. Change the dates only with “Set a new period”."
        )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        problem = edition_number_problem(number)
        if problem:
            raise ValidationError(problem)
        return number

    def clean(self):
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        opens, closes = data.get("comment_opens"), data.get("comment_closes")
        choice = data.get("consultation")
        data["end_consultation"] = False
        if self.running is not None and choice != self.NEW:
            kept = (_to_minute(self.running.comment_opens), _to_minute(self.running.comment_closes))
            if (opens or closes) and (_to_minute(opens), _to_minute(closes)) != kept:
                if choice != self.END:
                    self.add_error(
                        "consultation",
                        _(
                            "You changed the dates of the running round. Choose “Set a new "
                            "period” to use them, or put them back."
                        ),
                    )
                    return data
            # The running round's own period, to the second: round_plan carries it over.
            data["comment_opens"] = data["comment_closes"] = None
            data["end_consultation"] = choice == self.END
            return data
        if self.running is not None and not (opens and closes):
            raise ValidationError(_("Give when comments open and when they close."))
        if bool(opens) != bool(closes):
            raise ValidationError(
                _("Give both when comments open and when they close, or neither.")
            )
        if opens and closes and closes <= opens:
            self.add_error("comment_closes", _("The deadline must be after the opening time."))
        return data

    def publish_arguments(self) -> dict:
        """The keyword arguments for edition_publish."""
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "summary": data["summary"],
            "comment_opens": data["comment_opens"],
            "comment_closes": data["comment_closes"],
            "end_consultation": data["end_consultation"],
        }

    def plan(self) -> RoundPlan:
        arguments = self.publish_arguments()
        return round_plan(
            previous=self.current,
            comment_opens=arguments["comment_opens"],
            comment_closes=arguments["comment_closes"],
            end_consultation=arguments["end_consultation"],
        )


@admin.register(Edition)
class EditionAdmin(ReadableHistoryAdmin):
    list_display = ("number", "title", "published_at", "published_by", "comment_closes")
    search_fields = ("number", "title", "summary")
    list_select_related = ("published_by",)
    readonly_fields = ("number", "title", "summary", "published_at", "published_by")
    fields = readonly_fields + ("comment_opens", "comment_closes")

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
        assert isinstance(request.user, User)  # admin views serve signed-in staff
        current = Edition.objects.current()
        form = PublishForm(request.POST or None, current=current)
        confirmed = request.method == "POST" and "confirm" in request.POST
        if request.method == "POST" and form.is_valid() and confirmed:
            try:
                edition = edition_publish(user=request.user, **form.publish_arguments())
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
        confirming = request.method == "POST" and form.is_valid() and not confirmed
        plan = form.plan() if confirming else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Publish a new edition"),
            "round_plan": plan,
            "round_text": round_plan_text(plan, number=form.cleaned_data["number"]) if plan else "",
            "round_warning": plan is not None and plan.ends_running_round,
            "form": form,
            "current": current,
            "changes": changes,
            "confirming": confirming,
            "kinds": ChapterKind,
            "text_checks": draft_summary(),  # guide/checks.py, shown per chapter
        }
        return render(request, "admin/guide/edition/publish.html", context)
