"""Public comments on sections of the guide.

A comment is made on one section as it stood in one edition (`edition_section`), may
quote a passage of it, and keeps its identity across editions through `section`. Its
quote is located again in every new edition (`anchor_*`), so it stays highlighted
where the passage still is and says so plainly where the passage was rewritten.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import Recorded, staff_member
from guide.models import Edition, EditionSection, Section

BODY_MIN = 10
BODY_MAX = 5000
QUOTE_MAX = 1000
CONTEXT_CHARS = 32
REPORTS_TO_HIDE = 3


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    WITHHELD = "withheld", _("Withheld")


class WithheldReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Personal data about others")
    OFFENSIVE = "offensive", _("Offensive or illegal content")
    OFF_TOPIC = "off_topic", _("Not about the guide")
    SPAM = "spam", _("Spam")
    DUPLICATE = "duplicate", _("Duplicate")


class Outcome(models.TextChoices):
    OPEN = "open", _("Not yet considered")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    DECLINED = "declined", _("Declined")
    NOTED = "noted", _("Noted")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the scope of the guide")


class AnchorState(models.TextChoices):
    NONE = "none", _("No quote")
    EXACT = "exact", _("Passage found")
    CHANGED = "changed", _("Passage changed")
    LOST = "lost", _("Passage no longer in the text")


class CommentQuerySet(models.QuerySet):
    def visible(self) -> CommentQuerySet:
        """Published and not hidden after reports, judged on the comment alone. Enough
        for top-level comments, and for replies to comments already known to be public;
        cheaper than published(), which must look at a reply's parent too."""
        return self.filter(status=Status.PUBLISHED, hidden_by_reports=False)

    def published(self) -> CommentQuerySet:
        """What the public may see: published, not hidden after reports, and, for a
        reply, only while the comment it answers is public too."""
        return self.visible().filter(
            models.Q(parent__isnull=True)
            | models.Q(parent__status=Status.PUBLISHED, parent__hidden_by_reports=False)
        )

    def pending(self) -> CommentQuerySet:
        return self.filter(status=Status.PENDING)

    def top_level(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)

    def needs_attention(self) -> CommentQuerySet:
        """What a moderator must look at: pending, hidden after reports, or reported
        since the last decision. The admin's order, the digest and the admin index's
        count all use this one definition."""
        return self.filter(_needs_attention())

    def by_attention(self) -> CommentQuerySet:
        """Annotated with `attention`: 0 pending, 1 reported (hidden after reports or
        reported since the last decision), 2 the rest; the moderation queue's order."""
        return self.annotate(
            attention=models.Case(
                models.When(status=Status.PENDING, then=models.Value(0)),
                models.When(_needs_attention(), then=models.Value(1)),
                default=models.Value(2),
                output_field=models.IntegerField(),
            )
        )


def _needs_attention() -> models.Q:
    reported_since_decision = models.Exists(
        Report.objects.filter(
            comment=models.OuterRef("pk"),
            created_at__gt=Coalesce(models.OuterRef("moderated_at"), models.OuterRef("created_at")),
        )
    )
    return (
        models.Q(status=Status.PENDING)
        | models.Q(hidden_by_reports=True)
        | models.Q(reported_since_decision)
    )


class Comment(Recorded, models.Model):
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="comments",
        help_text=_("The section, whatever edition: its identity never changes."),
    )
    edition_section = models.ForeignKey(
        EditionSection,
        verbose_name=_("section as read"),
        on_delete=models.PROTECT,
        related_name="comments",
        help_text=_("The section as it stood in the edition the comment was made on."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.CharField(_("on behalf of"), max_length=200, blank=True)
    body = models.TextField(
        _("comment"), validators=[MinLengthValidator(BODY_MIN), MaxLengthValidator(BODY_MAX)]
    )
    quote = models.TextField(_("quoted passage"), blank=True, max_length=QUOTE_MAX)
    quote_prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    quote_suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    language = models.CharField(_("language"), max_length=8, default="nb")
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    withheld_reason = models.CharField(
        _("reason for withholding"), max_length=20, choices=WithheldReason.choices, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    moderated_at = models.DateTimeField(
        _("last moderated"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a moderator last published, withheld or reviewed the comment."),
    )
    hidden_by_reports = models.BooleanField(
        _("hidden after reports"),
        default=False,
        help_text=_("Hidden automatically after reports, until a moderator has looked at it."),
    )

    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OPEN
    )
    outcome_explanation = models.TextField(_("explanation of the outcome"), blank=True)
    response = models.TextField(_("official response"), blank=True)
    responded_by = staff_member(_("responded by"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    # The answer being prepared: never public, never mailed, until "Publish the answer"
    # copies it into the fields above (comments.services.comment_answer_publish).
    draft_outcome = models.CharField(
        _("outcome (draft)"), max_length=20, choices=Outcome.choices, blank=True
    )
    draft_explanation = models.TextField(
        _("explanation of the outcome (draft)"),
        blank=True,
        help_text=_("Public once the answer is published. Write it for the commenter."),
    )
    draft_response = models.TextField(
        _("official response (draft)"),
        blank=True,
        help_text=_("Public once the answer is published, and e-mailed to the commenter."),
    )
    draft_saved_at = models.DateTimeField(_("draft saved"), null=True, blank=True)
    draft_saved_by = staff_member(_("draft saved by"))

    # The revision of the section that addressed this comment, and the edition that
    # first published that revision.
    addressed_in_revision = models.ForeignKey(
        "guide.HistoricalSection",
        verbose_name=_("addressed in revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    addressed_in_edition = models.ForeignKey(
        Edition,
        verbose_name=_("addressed in edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addressed_comments",
    )

    # Where the quote is in the current edition's text, recomputed on each publish.
    anchor_edition = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anchor_state = models.CharField(
        max_length=10, choices=AnchorState.choices, default=AnchorState.NONE
    )
    anchor_start = models.PositiveIntegerField(null=True, blank=True)
    anchor_end = models.PositiveIntegerField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["email", "client_hash"])
    objects = CommentQuerySet.as_manager()

    # Annotated by the search on PostgreSQL. The search document itself is no field: the
    # database keeps it (comments/search_index.py, migrations 0009 and 0010).
    headline: str

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("export_comment", _("Can export comments with e-mail addresses"))]
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["section", "status", "hidden_by_reports"], name="comment_section"),
            models.Index(fields=["status", "created_at"], name="comment_status"),
            models.Index(fields=["parent", "created_at"], name="comment_replies"),
            # Rate limits count a client's recent comments.
            models.Index(fields=["client_hash", "created_at"], name="comment_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.WITHHELD) | ~models.Q(withheld_reason=""),
                name="comment_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.body[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("comments:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and not self.hidden_by_reports

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def has_draft_answer(self) -> bool:
        return self.draft_saved_at is not None

    def with_draft_answer(self) -> Comment:
        """A copy of this comment showing its draft answer as if published: for the
        preview. Never saved."""
        copy = Comment(**{f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields})
        copy._state.adding = False
        copy._state.fields_cache = dict(self._state.fields_cache)
        copy.outcome = self.draft_outcome or self.outcome
        copy.outcome_explanation = self.draft_explanation
        copy.response = self.draft_response
        copy.__dict__["save"] = None  # a preview must never be stored
        return copy


class Notification(models.Model):
    """An e-mail sent to a comment's author. One per comment and event, ever."""

    class Event(models.TextChoices):
        PUBLISHED = "published", _("Comment published")
        OUTCOME = "outcome", _("Outcome set")
        ADDRESSED = "addressed", _("Addressed in a published edition")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=20, choices=Event.choices)
    key = models.CharField(
        max_length=40, blank=True, help_text="Tells events of one kind apart (outcome, edition)."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["comment", "event", "key"], name="notify_once")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.key} for comment {self.comment_id}"


class ReportReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("It has personal information about others")
    OFFENSIVE = "offensive", _("It is offensive, hateful or illegal")
    SPAM = "spam", _("It is spam or advertising")
    OFF_TOPIC = "off_topic", _("It is not about the guide")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A reader's report of a published comment. One per client per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    client_hash = models.CharField(max_length=64)
    reason = models.CharField(
        _("reason"),
        max_length=20,
        choices=ReportReason.choices,
        blank=True,
        help_text=_("Chosen by the reader. Empty on reports made before readers were asked."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "client_hash"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"
