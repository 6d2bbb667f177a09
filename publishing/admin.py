"""Publishing a new edition from the admin: a form, a confirmation page listing what
changed and what happens to the consultation round, then `edition_publish`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from guide.admin_history import ReadableHistoryAdmin
from guide.changes import compare, draft_state, edition_state
from guide.checks import draft_summary
from guide.models import ChapterKind, Edition
from guide.services import (
    RoundPlan,
    RoundRequest,
    edition_number_problem,
    round_plan,
    round_plan_text,
    running_round,
)
from publishing.services import edition_publish

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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

    def round_request(self) -> RoundRequest:
        data = self.cleaned_data
        return RoundRequest(
            data["comment_opens"], data["comment_closes"], end=data["end_consultation"]
        )

    def publish_arguments(self) -> dict:
        """The keyword arguments for edition_publish."""
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "summary": data["summary"],
            "consultation": self.round_request(),
        }

    def plan(self) -> RoundPlan:
        return round_plan(previous=self.current, asked=self.round_request())


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
            if not change.is_unchanged
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
