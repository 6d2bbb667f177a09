"""The guide: a working draft (Chapter, Section) and frozen editions of it.

The live Chapter and Section rows are the editors' working draft. Publishing an
edition copies them, with their rendered HTML, into EditionChapter and EditionSection
rows that never change again; public pages only ever read those snapshots. A chapter's
or section's identity is its primary key: slugs, headings and positions may change,
and old URLs are answered by looking the slug up in earlier snapshots.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from core.history import Recorded, staff_member
from core.markdown import render

EDITION_NUMBER_PATTERN = r"\d{1,4}(?:\.\d{1,4}){0,3}"
validate_edition_number = RegexValidator(
    rf"^{EDITION_NUMBER_PATTERN}$",
    _("Write the number as digits separated by dots, for example 0.9 or 1.0."),
)


# Addresses the site itself uses under /veileder/: a chapter or section may not take them.
RESERVED_CHAPTER_SLUGS = {"hele"}
RESERVED_SECTION_SLUGS = {"endringer"}


def validate_chapter_slug(value: str) -> None:
    if value in RESERVED_CHAPTER_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself. Choose another address."),
            params={"slug": value},
        )


def validate_section_slug(value: str) -> None:
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself. Choose another anchor."),
            params={"slug": value},
        )


def edition_number_key(number: str) -> tuple[int, ...]:
    """Sort key for edition numbers: 0.9 < 0.10 < 1.0."""
    return tuple(int(part) for part in number.split("."))


class ChapterKind(models.TextChoices):
    CHAPTER = "chapter", _("Chapter")
    CASE = "case", _("Case study")


def chapter_url(kind: str, slug: str) -> str:
    """The stable public address of a chapter or case study (by its kind) of the
    current edition."""
    return reverse("public:case" if kind == ChapterKind.CASE else "public:chapter", args=[slug])


def section_url(kind: str, chapter_slug: str, slug: str) -> str:
    """The public address of a section, under its chapter's or case study's address."""
    name = "public:case_section" if kind == ChapterKind.CASE else "public:section"
    return reverse(name, args=[chapter_slug, slug])


class RoundState(models.TextChoices):
    """Where an edition's comment period stands at a given moment."""

    NONE = "none", _("No consultation")
    UPCOMING = "upcoming", _("Not yet open")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")

    # For templates and callers, instead of comparing with the strings.
    @property
    def is_upcoming(self) -> bool:
        return self is RoundState.UPCOMING

    @property
    def is_open(self) -> bool:
        return self is RoundState.OPEN

    @property
    def is_closed(self) -> bool:
        return self is RoundState.CLOSED


class SectionChangeKind(models.TextChoices):
    ADDED = "added", _("New")
    CHANGED = "changed", _("Text changed")
    RENAMED = "renamed", _("Renamed")
    MOVED = "moved", _("Moved")


class EditionQuerySet(models.QuerySet["Edition"]):
    def newest_first(self) -> EditionQuerySet:
        return self.order_by("-published_at", "-pk")

    def current(self) -> Edition | None:
        """The newest published edition: the one the public reads by default, with the
        latest consultation round of any edition (`last_round_*`) in the same query, so
        every page can show the round without a query of its own."""
        return self.newest_first().with_last_round().first()

    def with_last_round(self) -> EditionQuerySet:
        rounds = self.model.objects.filter(
            comment_opens__isnull=False, comment_closes__isnull=False
        ).order_by("-published_at", "-pk")
        return self.annotate(
            last_round_pk=models.Subquery(rounds.values("pk")[:1]),
            last_round_opens=models.Subquery(rounds.values("comment_opens")[:1]),
            last_round_closes=models.Subquery(rounds.values("comment_closes")[:1]),
        )


class Edition(Recorded, models.Model):
    """A published, citable version of the whole guide. Its text never changes once
    published; only its comment period may be moved (to extend a deadline)."""

    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        validators=[validate_edition_number],
        help_text=_("For example 0.9 or 1.0. Must be higher than the previous edition."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("For example “Test version for consultation”.")
    )
    summary = models.TextField(
        _("summary of changes"),
        blank=True,
        help_text=_("What is new in this edition, in plain language. Shown publicly."),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    published_by = staff_member(_("published by"))
    comment_opens = models.DateTimeField(
        _("comments open"),
        null=True,
        blank=True,
        help_text=_("When the public may start commenting on this edition. Empty: no comments."),
    )
    comment_closes = models.DateTimeField(
        _("comments close"),
        null=True,
        blank=True,
        help_text=_("The consultation deadline. Normally three months, never under six weeks."),
    )

    history = HistoricalRecords()
    objects = EditionQuerySet.as_manager()

    # Annotated by EditionQuerySet.with_last_round(): the pk is None when no round was
    # ever held, else both times are set (the subquery requires them).
    last_round_pk: int | None
    last_round_opens: datetime
    last_round_closes: datetime

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment_opens__isnull=True)
                | models.Q(comment_closes__isnull=True)
                | models.Q(comment_closes__gt=models.F("comment_opens")),
                name="edition_comment_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(comment_opens__isnull=True)
                | models.Q(comment_closes__isnull=False),
                name="edition_comment_period_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("public:edition", args=[self.number])

    @property
    def number_key(self) -> tuple[int, ...]:
        return edition_number_key(self.number)

    def comment_period_state(self, now: datetime | None = None) -> RoundState:
        if self.comment_opens is None or self.comment_closes is None:
            return RoundState.NONE
        now = now or timezone.now()
        if now < self.comment_opens:
            return RoundState.UPCOMING
        if now < self.comment_closes:
            return RoundState.OPEN
        return RoundState.CLOSED

    def is_open_for_comments(self, now: datetime | None = None) -> bool:
        return self.comment_period_state(now).is_open

    def clean(self) -> None:
        if self.comment_opens and not self.comment_closes:
            raise ValidationError({"comment_closes": _("Give a deadline when comments open.")})
        if self.comment_opens and self.comment_closes and self.comment_closes <= self.comment_opens:
            raise ValidationError(
                {"comment_closes": _("The deadline must be after the opening time.")}
            )


class DraftQuerySet(models.QuerySet):
    def active(self) -> DraftQuerySet:
        return self.filter(is_active=True)


class ChapterFacts:
    """What a chapter and its copy in an edition tell about themselves."""

    kind: str
    channels: str

    @property
    def is_case(self) -> bool:
        return self.kind == ChapterKind.CASE

    @property
    def channel_list(self) -> list[str]:
        return [c.strip() for c in self.channels.split(",") if c.strip()]


class DraftPart(Recorded, models.Model):
    """What chapters and sections of the working draft share: whether the next edition
    takes them, and a revision number that guards the editor against lost updates."""

    is_active = models.BooleanField(
        _("in the guide"),
        default=True,
        help_text=_("Untick to leave it out of the next edition."),
    )
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Bumped on each editor save: guards against lost updates.",
    )

    objects = DraftQuerySet.as_manager()

    class Meta:
        abstract = True


class Chapter(ChapterFacts, DraftPart):
    """A chapter or case study in the working draft."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=ChapterKind.choices, default=ChapterKind.CHAPTER
    )
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        validators=[validate_chapter_slug],
        help_text=_(
            "The chapter’s part of the web address. Changing it keeps the old address "
            "working with a redirect."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    intro = MarkdownxField(_("introduction"), blank=True)
    intro_html = models.TextField(editable=False, blank=True)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("Case studies: the organisation the case is about."),
    )
    channels = models.CharField(
        _("channels"),
        max_length=300,
        blank=True,
        help_text=_("Case studies: the channels used, separated by commas."),
    )
    history = HistoricalRecords()

    # Annotated by ChapterAdmin.get_queryset.
    active_sections: int

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters and case studies")
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.intro_html = render(self.intro)
        super().save(*args, **kwargs)


class Section(DraftPart):
    """A part of a chapter with its own heading and anchor: what people comment on."""

    chapter = models.ForeignKey(
        Chapter, verbose_name=_("chapter"), on_delete=models.CASCADE, related_name="sections"
    )
    slug = models.SlugField(
        _("anchor"),
        max_length=80,
        validators=[validate_section_slug],
        help_text=_(
            "The section’s part of the web address (#anchor). Changing it keeps old links working."
        ),
    )
    heading = models.CharField(_("heading"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    body = MarkdownxField(_("text"), help_text=_("Markdown. Use ### for sub-headings."))
    body_html = models.TextField(editable=False, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["chapter", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "slug"], name="section_slug_unique_in_chapter"
            )
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs) -> None:
        self.body_html = render(self.body)
        super().save(*args, **kwargs)


class EditionChapter(ChapterFacts, models.Model):
    """A chapter as it stood when an edition was published. Never edited."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="chapters")
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="snapshots")
    kind = models.CharField(max_length=10, choices=ChapterKind.choices)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField()
    intro = models.TextField(blank=True)
    intro_html = models.TextField(blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    channels = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("chapter in an edition")
        verbose_name_plural = _("chapters in editions")
        ordering = ["edition", "kind", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "chapter"], name="edition_chapter_once"),
            models.UniqueConstraint(fields=["edition", "slug"], name="edition_chapter_slug_unique"),
        ]
        indexes = [models.Index(fields=["slug"], name="edition_chapter_slug")]

    # What a snapshot copies from the working draft's chapter as it stands.
    COPIED = ("kind", "slug", "title", "intro", "intro_html", "organisation", "channels")

    def __str__(self) -> str:
        return f"{self.title} ({self.edition.number})"

    @classmethod
    def snapshot(cls, chapter: Chapter, *, edition: Edition, order: int) -> EditionChapter:
        """An unsaved copy of `chapter` for `edition`, placed `order` among its kind."""
        copied = {name: getattr(chapter, name) for name in cls.COPIED}
        return cls(edition=edition, chapter=chapter, order=order, **copied)

    def current_url(self) -> str:
        """Where this chapter lives when its edition is the current one."""
        return chapter_url(self.kind, self.slug)

    def edition_url(self) -> str:
        return reverse("public:edition_chapter", args=[self.edition.number, self.slug])


class EditionSection(models.Model):
    """A section as it stood when an edition was published. Never edited."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    edition_chapter = models.ForeignKey(
        EditionChapter, on_delete=models.CASCADE, related_name="sections"
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="snapshots")
    slug = models.SlugField(max_length=80)
    heading = models.CharField(max_length=200)
    order = models.PositiveIntegerField()
    body = models.TextField()
    body_html = models.TextField()
    text = models.TextField(help_text="Plain text of body_html: for search, diffs and quotes.")
    change = models.CharField(
        max_length=10,
        choices=SectionChangeKind.choices,
        blank=True,
        help_text="How this section changed since the previous edition, if it did.",
    )
    # Quoted passages are located in a text once, not once per edition: comments point
    # at the edition where this very text first stood (Comment.anchor_edition), and an
    # edition that leaves a section's text as it was carries this over unchanged, so
    # publishing it re-anchors only the comments of the sections it changed.
    text_since = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The first of the editions in a row in which this section's text "
        "(body_html) is exactly this one.",
    )

    class Meta:
        verbose_name = _("section in an edition")
        verbose_name_plural = _("sections in editions")
        ordering = ["edition_chapter", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "section"], name="edition_section_once"),
            models.UniqueConstraint(
                fields=["edition_chapter", "slug"], name="edition_section_slug_unique"
            ),
        ]
        indexes = [models.Index(fields=["slug"], name="edition_section_slug")]

    def __str__(self) -> str:
        return self.heading

    def current_url(self) -> str:
        """This section's own page, at the stable address of its chapter."""
        chapter = self.edition_chapter
        return section_url(chapter.kind, chapter.slug, self.slug)
