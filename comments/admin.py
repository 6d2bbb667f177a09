"""Moderation: the queue, decisions, responses and folding feedback into the text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, StringAgg, Value
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.context import section_context_html
from comments.exports import export_response
from comments.models import (
    Comment,
    Notification,
    Outcome,
    ReportReason,
    Status,
    WithheldReason,
)
from comments.services import (
    AnswerNotPublishable,
    comment_answer_publish,
    comment_answer_save,
    comment_publish,
    comment_withhold,
    comments_address,
    notification_mail,
)
from guide.admin import ChangeNoteForm, SectionAdmin
from guide.admin_history import ReadableHistoryAdmin
from guide.models import Section

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    class _Reports(TypedDict):  # annotated by CommentAdmin.get_queryset
        report_count: int
        report_reasons: str | None


# The name of the change form's "Publish the answer" button.
PUBLISH_ANSWER = "_publish_answer"


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


# The change reasons the services record (in English, as data), as people read them.
_CHANGE_REASONS: list[tuple[re.Pattern, Callable[[re.Match], StrOrPromise]]] = [
    (re.compile(r"^Received$"), lambda m: _("Received")),
    (re.compile(r"^Published$"), lambda m: _("Published")),
    (re.compile(r"^Back to review$"), lambda m: _("Back to review")),
    (
        re.compile(r"^Withheld: (\w+)$"),
        lambda m: (
            _("Withheld: %(reason)s") % {"reason": _label(WithheldReason.choices, m[1]).lower()}
        ),
    ),
    (
        re.compile(r"^Hidden after (\d+) reports$"),
        lambda m: _("Hidden after %(n)s reports") % {"n": m[1]},
    ),
    (
        re.compile(r"^(?:Outcome|Answer published): (\w+)$"),
        lambda m: (
            _("Answer published: %(outcome)s") % {"outcome": _label(Outcome.choices, m[1]).lower()}
        ),
    ),
    (
        re.compile(r"^Answer saved as a draft: (\w+)$"),
        lambda m: (
            _("Answer saved as a draft: %(outcome)s")
            % {"outcome": _label(Outcome.choices, m[1]).lower()}
        ),
    ),
    (re.compile(r"^Draft answer discarded$"), lambda m: _("Draft answer discarded")),
    (
        re.compile(r"^Linked to the revision that addresses it$"),
        lambda m: _("Linked to the change that addresses it"),
    ),
    (
        re.compile(r"^Addressed in edition (.+)$"),
        lambda m: _("Addressed in edition %(number)s") % {"number": m[1]},
    ),
]


def comment_change_reason(reason: str | None) -> str:
    for pattern, text in _CHANGE_REASONS:
        if reason and (match := pattern.match(reason)):
            return str(text(match))
    return reason or ""


class ModerationActionForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Reason for withholding"),
        required=False,
        choices=[("", "---------"), *WithheldReason.choices],
    )


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter declared by its options: each value's label and condition."""

    options: Mapping[str, tuple[StrOrPromise, Q]]

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _condition) in self.options.items()]

    def queryset(self, request, queryset):
        chosen = self.options.get(self.value() or "")
        return queryset.filter(chosen[1]) if chosen else queryset


class ReportedFilter(ChoiceFilter):
    title = _("reported")
    parameter_name = "reported"
    options = {
        "hidden": (_("Hidden after reports"), Q(hidden_by_reports=True)),
        "any": (_("Reported at least once"), Q(report_count__gt=0)),
    }


class LanguageFilter(admin.SimpleListFilter):
    """The language a comment was written in, by name rather than code ("nb")."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, name) for code, name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


class HasEmailFilter(ChoiceFilter):
    title = _("e-mail address")
    parameter_name = "epost"
    options = {
        "yes": (_("Has an address"), ~Q(email="")),
        "no": (_("No address"), Q(email="")),
    }


class CommentAdminForm(forms.ModelForm):
    """Moderation and the answer. The answer fields are a draft: saving keeps them
    internal; "Publish the answer" makes them public and e-mails the commenter."""

    class Meta:
        model = Comment
        fields = [
            "status",
            "withheld_reason",
            "draft_outcome",
            "draft_explanation",
            "draft_response",
        ]
        labels = {
            "draft_outcome": _("Outcome"),
            "draft_explanation": _("Explanation of the outcome"),
            "draft_response": _("Official response"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outcome = self.fields["draft_outcome"]
        assert isinstance(outcome, forms.ChoiceField)  # a model field with choices
        outcome.required = True
        outcome.choices = Outcome.choices
        comment = self.instance
        if comment.pk and not comment.has_draft_answer:
            # No draft yet: start from the published answer.
            self.initial.update(
                draft_outcome=comment.outcome,
                draft_explanation=comment.outcome_explanation,
                draft_response=comment.response,
            )

    def clean(self):
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
        if data.get("status") == Status.WITHHELD and not data.get("withheld_reason"):
            self.add_error("withheld_reason", _("Choose why the comment is withheld."))
        if data.get("status") != Status.WITHHELD:
            data["withheld_reason"] = ""
        return data


@admin.register(Comment)
class CommentAdmin(ReadableHistoryAdmin):
    form = CommentAdminForm
    action_form = ModerationActionForm
    actions = [
        "publish_selected",
        "withhold_selected",
        "mark_as_spam",
        "publish_answers",
        "export_selected",
    ]
    list_display = (
        "short_body",
        "name",
        "where",
        "status",
        "outcome",
        "answer_state",
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
        LanguageFilter,
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
        "language_name",
        "created_at",
        "published_at",
        "report_count",
        "responded_by",
        "responded_at",
        "addressed",
        "section_context",
        "published_answer",
        "draft_state",
        "answer_preview",
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
                    "section_context",
                    "body_text",
                    "language_name",
                    "created_at",
                )
            },
        ),
        (
            _("Moderation"),
            {"fields": ("status", "withheld_reason", "published_at", "report_count")},
        ),
        (
            _("Answer"),
            {
                "fields": (
                    "published_answer",
                    "draft_state",
                    "draft_outcome",
                    "draft_explanation",
                    "draft_response",
                    "answer_preview",
                    "addressed",
                ),
                "description": _(
                    "Saving keeps the answer as a draft: it is not public and nobody is "
                    "told. “Publish the answer” makes it public and e-mails the commenter."
                ),
            },
        ),
    )

    def get_queryset(self, request):
        # What needs a moderator first (Comment.objects.needs_attention()), pending before
        # reported, then the rest. Not super(): it orders by get_ordering() before the
        # annotation exists.
        return (
            Comment.objects.by_attention()
            .annotate(
                report_count=Count("reports"),
                report_reasons=StringAgg("reports__reason", delimiter=Value(","), distinct=True),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # The changelist orders by this, not by the queryset's order_by(); newest last
        # within each group, so what came in first is handled first.
        return ["attention", "created_at", "pk"]

    def has_add_permission(self, request):
        return False

    # Bookkeeping a moderator does not need to read in the history.
    history_hidden_fields = (
        "quote_prefix",
        "quote_suffix",
        "anchor_edition",
        "anchor_state",
        "anchor_start",
        "anchor_end",
    )

    def change_reason_display(self, reason: str | None) -> str:
        return comment_change_reason(reason)

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

    @admin.display(description=_("language"))
    def language_name(self, obj: Comment) -> str:
        return str(dict(settings.LANGUAGES).get(obj.language, obj.language))

    @admin.display(description=_("reply to"))
    def reply_to(self, obj: Comment) -> str:
        return str(obj.parent) if obj.parent_id else "–"

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj: WithAnnotations[Comment, _Reports]) -> str:
        """How many reports, and why (annotated in get_queryset)."""
        labels = dict(ReportReason.choices)
        reasons = [labels.get(r, r) for r in (obj.report_reasons or "").split(",") if r]
        if not reasons:
            return str(obj.report_count)
        return f"{obj.report_count} ({'; '.join(str(r) for r in reasons)})"

    @admin.display(description=_("addressed in"))
    def addressed(self, obj: Comment) -> StrOrPromise:
        if obj.addressed_in_edition is not None:
            return _("Edition %(number)s") % {"number": obj.addressed_in_edition.number}
        if obj.addressed_in_revision_id:
            return _("A revision not yet published")
        return "–"

    @admin.display(description=_("answer"))
    def answer_state(self, obj: Comment) -> StrOrPromise:
        return _("Draft not published") if obj.has_draft_answer else "–"

    @admin.display(description=_("the section around the quote"))
    def section_context(self, obj: Comment) -> str:
        return section_context_html(obj)

    @admin.display(description=_("published answer"))
    def published_answer(self, obj: Comment) -> StrOrPromise:
        if obj.outcome == Outcome.OPEN and not obj.response and not obj.outcome_explanation:
            return _("Nothing published yet.")
        return render_to_string("admin/comments/comment/published_answer.html", {"comment": obj})

    @admin.display(description=_("draft"))
    def draft_state(self, obj: Comment) -> StrOrPromise:
        if not obj.has_draft_answer:
            return _("No unpublished changes to the answer.")
        return _("Saved %(when)s by %(who)s, not published.") % {
            "when": formats.date_format(
                timezone.localtime(obj.draft_saved_at), "SHORT_DATETIME_FORMAT"
            ),
            "who": obj.draft_saved_by or "–",
        }

    @admin.display(description=_("preview as the commenter will see it"))
    def answer_preview(self, obj: Comment) -> StrOrPromise:
        if not obj.has_draft_answer:
            return _("Save the answer as a draft to preview it.")
        preview = obj.with_draft_answer()
        subject, body = notification_mail(preview, Notification.Event.OUTCOME)
        return render_to_string(
            "admin/comments/comment/answer_preview.html",
            {
                "comment": preview,
                "site_owner": settings.SITE_OWNER,
                "mail_subject": subject,
                "mail_body": body,
                "mailed": bool(obj.email) and preview.outcome != Outcome.OPEN,
            },
        )

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
                    obj.moderated_at = timezone.now()
                    obj._change_reason = "Back to review"
                    obj._history_user = request.user
                    obj.save()
            answer = ("draft_outcome", "draft_explanation", "draft_response")
            wanted = {f: getattr(obj, f) for f in answer}
            for f in answer:  # the service compares against what was stored
                setattr(obj, f, getattr(before, f))
            comment_answer_save(
                comment=obj,
                outcome=wanted["draft_outcome"],
                explanation=wanted["draft_explanation"],
                response=wanted["draft_response"],
                user=request.user,
            )
            if PUBLISH_ANSWER in request.POST:
                try:
                    comment_answer_publish(comment=obj, user=request.user)
                except AnswerNotPublishable as problem:
                    self.message_user(request, str(problem), messages.ERROR)
                else:
                    self.message_user(request, self._published_message(obj), messages.SUCCESS)

    @staticmethod
    def _published_message(comment: Comment) -> StrOrPromise:
        if comment.email and comment.outcome != Outcome.OPEN:
            return _("The answer is published, and the commenter is told by e-mail.")
        return _("The answer is published.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["publish_answer_name"] = PUBLISH_ANSWER
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _locked(queryset) -> list[Comment]:
        """The selected comments, locked for this decision. The changelist's queryset
        is annotated (GROUP BY), which PostgreSQL will not lock: lock by primary key."""
        pks = list(queryset.values_list("pk", flat=True))
        return list(Comment.objects.select_for_update().filter(pk__in=pks).order_by("pk"))

    def _decide(
        self,
        request,
        queryset,
        decide: Callable[[Comment], object],
        done: Callable[[int], str],
    ) -> None:
        """Take one decision on each selected comment, all locked, in one transaction,
        and say on how many: `done(count)` gives the message, with %(n)d for the count."""
        with transaction.atomic():
            comments = self._locked(queryset)
            for comment in comments:
                decide(comment)
        count = len(comments)
        self.message_user(request, done(count) % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected comments"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda c: comment_publish(comment=c, user=request.user),
            lambda n: ngettext("%(n)d comment published.", "%(n)d comments published.", n),
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
        self._decide(
            request,
            queryset,
            lambda c: comment_withhold(comment=c, reason=reason, user=request.user),
            lambda n: ngettext("%(n)d comment withheld.", "%(n)d comments withheld.", n),
        )

    @admin.action(
        description=_("Publish the answers of the selected comments"), permissions=["change"]
    )
    def publish_answers(self, request, queryset):
        published, skipped = 0, 0
        with transaction.atomic():
            for comment in self._locked(queryset):
                try:
                    comment_answer_publish(comment=comment, user=request.user)
                except AnswerNotPublishable:
                    skipped += 1
                else:
                    published += 1
        self.message_user(
            request,
            ngettext("%(n)d answer published.", "%(n)d answers published.", published)
            % {"n": published},
            messages.SUCCESS if published else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d comment skipped: no draft answer, or the comment is not public.",
                    "%(n)d comments skipped: no draft answer, or the comment is not public.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
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
    """The section editor, with the comments on this section to tick as addressed."""

    addressed = forms.ModelMultipleChoiceField(
        label=_("Comments this change addresses"),
        queryset=Comment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the comments your change responds to, whatever their outcome so far. "
            "Their authors are told when an edition with the change is published."
        ),
    )
    addressed_outcome = forms.ChoiceField(
        label=_("Outcome for the ticked comments"),
        choices=[
            ("", _("Leave the outcome as it is")),
            (Outcome.ACCEPTED, Outcome.ACCEPTED.label),
            (Outcome.PARTLY, Outcome.PARTLY.label),
        ],
        initial="",
        required=False,
        help_text=_("Saved as a draft answer: a moderator publishes it from the comment."),
    )
    addressed_explanation = forms.CharField(
        label=_("Public explanation for the ticked comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional. Written for the commenters, and public once the answer is "
            "published. Your change note stays internal."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = self.instance
        # Every public comment not yet answered by a published change, whatever its
        # outcome: one given an outcome before the text changed can still be linked.
        comments = (
            Comment.objects.published().filter(
                section_id=section.pk, addressed_in_edition__isnull=True
            )
            if section.pk
            else Comment.objects.none()
        )
        addressed = self.fields["addressed"]
        assert isinstance(addressed, forms.ModelMultipleChoiceField)
        addressed.queryset = comments.order_by("created_at", "pk")
        # The stubs declare it a method; Django documents overriding it on the field.
        addressed.label_from_instance = self._label  # type: ignore[method-assign, assignment]

    @staticmethod
    def _label(comment: Comment) -> str:
        quote = f"«{Truncator(comment.quote).chars(120)}» " if comment.quote else ""
        outcome = comment.get_outcome_display()
        if comment.addressed_in_revision_id:
            outcome = _("%(outcome)s, linked to an unpublished change") % {"outcome": outcome}
        return f"{comment.name}: {quote}{Truncator(comment.body).chars(300)} ({outcome})"


@admin.register(Section)
class SectionWithFeedbackAdmin(SectionAdmin):
    form = SectionFeedbackForm
    fieldsets = (
        (None, {"fields": ("chapter", "heading", "slug", "order", "is_active", "body")}),
        (
            _("Comments on this section"),
            {
                "fields": ("addressed", "addressed_outcome", "addressed_explanation"),
                "classes": ("feedback",),
            },
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
                    outcome=form.cleaned_data["addressed_outcome"],
                    explanation=form.cleaned_data["addressed_explanation"].strip(),
                    user=request.user,
                )
