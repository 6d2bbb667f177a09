"""Moderation: the queue, decisions, responses and folding feedback into the text."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_permissions import HistoryAdmin
from comments.exports import export_response
from comments.models import Comment, Outcome, Status, WithheldReason
from comments.services import (
    comment_publish,
    comment_respond,
    comment_withhold,
    comments_address,
)
from guide.admin import ChangeNoteForm, SectionAdmin
from guide.cache import comments_changed
from guide.models import Section


class ModerationActionForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Reason for withholding"),
        required=False,
        choices=[("", "---------")] + WithheldReason.choices,
    )


class ReportedFilter(admin.SimpleListFilter):
    title = _("reported")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("hidden", _("Hidden after reports")), ("any", _("Reported at least once"))]

    def queryset(self, request, queryset):
        if self.value() == "hidden":
            return queryset.filter(hidden_by_reports=True)
        if self.value() == "any":
            return queryset.filter(report_count__gt=0)
        return queryset


class HasEmailFilter(admin.SimpleListFilter):
    title = _("e-mail address")
    parameter_name = "epost"

    def lookups(self, request, model_admin):
        return [("yes", _("Has an address")), ("no", _("No address"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(email="")
        if self.value() == "no":
            return queryset.filter(email="")
        return queryset


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["status", "withheld_reason", "outcome", "outcome_explanation", "response"]

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.WITHHELD and not data.get("withheld_reason"):
            self.add_error("withheld_reason", _("Choose why the comment is withheld."))
        if data.get("status") != Status.WITHHELD:
            data["withheld_reason"] = ""
        return data


@admin.register(Comment)
class CommentAdmin(HistoryAdmin):
    form = CommentAdminForm
    action_form = ModerationActionForm
    actions = ["publish_selected", "withhold_selected", "mark_as_spam", "export_selected"]
    list_display = (
        "short_body",
        "name",
        "where",
        "status",
        "outcome",
        "report_count",
        "created_at",
    )
    list_display_links = ("short_body",)
    list_filter = (
        "status",
        ReportedFilter,
        ("section__chapter", admin.RelatedOnlyFieldListFilter),
        ("edition_section__edition", admin.RelatedOnlyFieldListFilter),
        "outcome",
        HasEmailFilter,
        "language",
    )
    list_select_related = (
        "edition_section__edition",
        "edition_section__edition_chapter",
        "addressed_in_edition",
        "parent",
    )
    search_fields = ("name", "organisation", "body", "quote", "email")
    list_per_page = 50
    date_hierarchy = "created_at"
    readonly_fields = (
        "name",
        "organisation",
        "email",
        "where",
        "quote",
        "body_text",
        "reply_to",
        "language",
        "created_at",
        "published_at",
        "report_count",
        "responded_by",
        "responded_at",
        "addressed",
    )
    fieldsets = (
        (
            _("Comment"),
            {
                "fields": (
                    "name",
                    "organisation",
                    "email",
                    "where",
                    "reply_to",
                    "quote",
                    "body_text",
                    "language",
                    "created_at",
                )
            },
        ),
        (
            _("Moderation"),
            {"fields": ("status", "withheld_reason", "published_at", "report_count")},
        ),
        (
            _("Outcome and response (public)"),
            {
                "fields": (
                    "outcome",
                    "outcome_explanation",
                    "response",
                    "responded_by",
                    "responded_at",
                    "addressed",
                )
            },
        ),
    )

    def get_queryset(self, request):
        # What needs a moderator first: pending, then hidden after reports, then the rest.
        needs_attention = Case(
            When(status=Status.PENDING, then=Value(0)),
            When(hidden_by_reports=True, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return (
            super()
            .get_queryset(request)
            .annotate(report_count=Count("reports"), attention=needs_attention)
            .order_by("attention", "created_at", "pk")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Comments to a public body are records; personal data is erased with
        # `manage.py erase_commenter`, not by deleting rows.
        return False

    @admin.display(description=_("comment"))
    def short_body(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(90)

    @admin.display(description=_("comment"))
    def body_text(self, obj: Comment) -> str:
        return format_html('<div class="readonly-text">{}</div>', obj.body)

    @admin.display(description=_("section"))
    def where(self, obj: Comment) -> str:
        section = obj.edition_section
        return f"{section.edition_chapter.title} › {section.heading} ({section.edition.number})"

    @admin.display(description=_("reply to"))
    def reply_to(self, obj: Comment) -> str:
        return str(obj.parent) if obj.parent_id else "–"

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj: Comment) -> int:
        return obj.report_count  # annotated in get_queryset

    @admin.display(description=_("addressed in"))
    def addressed(self, obj: Comment) -> str:
        if obj.addressed_in_edition_id:
            return _("Edition %(number)s") % {"number": obj.addressed_in_edition.number}
        if obj.addressed_in_revision_id:
            return _("A revision not yet published")
        return "–"

    def save_model(self, request, obj: Comment, form, change):
        """Route every decision through the services, so each one is recorded once and
        the author hears about it once."""
        before = Comment.objects.get(pk=obj.pk)
        with transaction.atomic():
            if obj.status != before.status or obj.withheld_reason != before.withheld_reason:
                if obj.status == Status.PUBLISHED:
                    comment_publish(comment=obj, user=request.user)
                elif obj.status == Status.WITHHELD:
                    comment_withhold(comment=obj, reason=obj.withheld_reason, user=request.user)
                else:
                    obj._change_reason = "Back to review"
                    obj._history_user = request.user
                    obj.save()
                    transaction.on_commit(comments_changed)
            answer = ("outcome", "outcome_explanation", "response")
            wanted = {f: getattr(obj, f) for f in answer}
            if any(wanted[f] != getattr(before, f) for f in answer):
                for f in answer:  # the service compares against what was stored
                    setattr(obj, f, getattr(before, f))
                comment_respond(
                    comment=obj,
                    outcome=wanted["outcome"],
                    explanation=wanted["outcome_explanation"],
                    response=wanted["response"],
                    user=request.user,
                )

    @staticmethod
    def _locked(queryset) -> list[Comment]:
        """The selected comments, locked for this decision. The changelist's queryset
        is annotated (GROUP BY), which PostgreSQL will not lock: lock by primary key."""
        pks = list(queryset.values_list("pk", flat=True))
        return list(Comment.objects.select_for_update().filter(pk__in=pks).order_by("pk"))

    @admin.action(description=_("Publish the selected comments"), permissions=["change"])
    def publish_selected(self, request, queryset):
        with transaction.atomic():
            comments = self._locked(queryset)
            for comment in comments:
                comment_publish(comment=comment, user=request.user)
        self.message_user(
            request,
            ngettext("%(n)d comment published.", "%(n)d comments published.", len(comments))
            % {"n": len(comments)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Withhold the selected comments (choose a reason)"), permissions=["change"]
    )
    def withhold_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        if reason not in WithheldReason.values:
            self.message_user(
                request,
                _("Choose a reason for withholding in the list next to the action."),
                messages.ERROR,
            )
            return
        self._withhold(request, queryset, reason)

    @admin.action(description=_("Mark the selected comments as spam"), permissions=["change"])
    def mark_as_spam(self, request, queryset):
        self._withhold(request, queryset, WithheldReason.SPAM)

    def _withhold(self, request, queryset, reason: str) -> None:
        with transaction.atomic():
            comments = self._locked(queryset)
            for comment in comments:
                comment_withhold(comment=comment, reason=reason, user=request.user)
        self.message_user(
            request,
            ngettext("%(n)d comment withheld.", "%(n)d comments withheld.", len(comments))
            % {"n": len(comments)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Export the selected comments as CSV (with e-mail, for staff)"),
        permissions=["export"],
    )
    def export_selected(self, request, queryset):
        return export_response(queryset.order_by("created_at", "pk"), "csv", staff=True)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("comments.export_comment")


class SectionFeedbackForm(ChangeNoteForm):
    """The section editor, with the open comments on this section to tick as addressed."""

    addressed = forms.ModelMultipleChoiceField(
        label=_("Comments this change addresses"),
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the comments your change responds to. Their authors are told."),
    )
    addressed_outcome = forms.ChoiceField(
        label=_("Outcome for the ticked comments"),
        choices=[
            (Outcome.ACCEPTED, Outcome.ACCEPTED.label),
            (Outcome.PARTLY, Outcome.PARTLY.label),
        ],
        initial=Outcome.ACCEPTED,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = self.instance
        open_comments = (
            Comment.objects.published().filter(outcome=Outcome.OPEN, section_id=section.pk)
            if section.pk
            else Comment.objects.none()
        )
        self.fields["addressed"].queryset = open_comments.order_by("created_at")
        self.fields["addressed"].label_from_instance = self._label

    @staticmethod
    def _label(comment: Comment) -> str:
        quote = f"«{Truncator(comment.quote).chars(120)}» " if comment.quote else ""
        return f"{comment.name}: {quote}{Truncator(comment.body).chars(300)}"


admin.site.unregister(Section)


@admin.register(Section)
class SectionWithFeedbackAdmin(SectionAdmin):
    form = SectionFeedbackForm
    fieldsets = (
        (None, {"fields": ("chapter", "heading", "slug", "order", "is_active", "body")}),
        (
            _("Open comments on this section"),
            {"fields": ("addressed", "addressed_outcome"), "classes": ("feedback",)},
        ),
        (_("Save"), {"fields": ("change_note", "base_revision")}),
    )
    fields = None

    def save_model(self, request, obj, form, change):
        ticked = list(form.cleaned_data.get("addressed") or [])
        if ticked and not request.user.has_perm("comments.change_comment"):
            raise PermissionDenied
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if ticked:
                comments_address(
                    comments=ticked,
                    revision=obj.history.first(),
                    outcome=form.cleaned_data["addressed_outcome"] or Outcome.ACCEPTED,
                    explanation=form.cleaned_data["change_note"],
                    user=request.user,
                )
