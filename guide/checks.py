"""Accessibility and plain-language checks on a section's text, for editors only.

Refused (the save is stopped): images without alt text (WCAG 1.1.1), headings that skip
a level or go above the section's own heading (WCAG 1.3.1), links without text (WCAG
2.4.4). Warned (the save goes through, the offending text is shown): link texts that say
nothing out of context, sentences over 25 words, paragraphs over 150 words. LIX, the
Scandinavian readability index: words per sentence plus the share of long words (more
than six letters) in per cent; under 40 is easy, 40 to 50 medium, over 50 hard.

The checks read the Markdown as rendered *before* sanitising: the sanitiser drops what
these checks must see (an h1 or h2 heading, for one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown as markdown_lib
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.markdown import EXTENSIONS

SECTION_LEVEL = 2  # a section's own heading is an h2 on its chapter's page
MAX_SENTENCE_WORDS = 25
MAX_PARAGRAPH_WORDS = 150
LONG_WORD = 6  # letters; longer than this is a long word
LIX_EASY = 40
LIX_HARD = 50
VAGUE_LINK_TEXTS = {
    "klikk her", "trykk her", "les mer", "les meir", "her", "mer", "meir", "lenke",
    "denne lenken", "denne lenka", "click here", "read more", "here", "more", "link",
}  # fmt: skip

_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "pre"}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str | Promise
    text: str = ""


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float | None:
        if not self.words or not self.sentences:
            return None
        return round(self.words / self.sentences + 100 * self.long_words / self.words, 1)

    @property
    def band(self) -> str:
        """ "easy", "medium" or "hard" (or "" when there is no text to measure)."""
        return lix_band(self.value)


@dataclass
class SectionCheck:
    refusals: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    lix: Lix = field(default_factory=lambda: Lix(0, 0, 0))


def lix_band(value: float | None) -> str:
    if value is None:
        return ""
    if value < LIX_EASY:
        return "easy"
    if value <= LIX_HARD:
        return "medium"
    return "hard"


LIX_BAND_LABELS = {"easy": _("easy"), "medium": _("medium"), "hard": _("hard")}


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences(block: str) -> list[str]:
    """The sentences of one block of text (a paragraph, list item, heading...)."""
    return [s for s in _SENTENCE_END.split(block.strip()) if words(s)]


def lix(blocks: list[str]) -> Lix:
    """LIX over blocks of plain text. A block always ends a sentence, so a heading or
    list item without a full stop counts as one."""
    found = [w for block in blocks for w in words(block)]
    long_words = sum(1 for w in found if sum(c.isalpha() for c in w) > LONG_WORD)
    count = sum(len(sentences(block)) for block in blocks)
    return Lix(words=len(found), sentences=count, long_words=long_words)


class _Reader(HTMLParser):
    """Collects headings, images, links and blocks of text from rendered Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.images: list[dict[str, str | None]] = []
        self.links: list[tuple[str, str, bool]] = []  # (href, text, has an image with alt)
        self.blocks: list[tuple[str, str]] = []  # (tag, text)
        self.paragraphs: list[str] = []
        self._open_blocks: list[tuple[str, list[str]]] = []
        self._link: tuple[str, list[str], list[bool]] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag in _BLOCKS:
            self._open_blocks.append((tag, []))
        elif tag == "img":
            self.images.append(attributes)
            if self._link is not None and (attributes.get("alt") or "").strip():
                self._link[2].append(True)
        elif tag == "a":
            self._link = (attributes.get("href") or "", [], [])
        elif tag == "br" and self._open_blocks:
            self._open_blocks[-1][1].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            href, text, images = self._link
            self.links.append((href, " ".join("".join(text).split()), bool(images)))
            self._link = None
        elif tag in _BLOCKS and self._open_blocks and self._open_blocks[-1][0] == tag:
            _tag, parts = self._open_blocks.pop()
            block_text = " ".join("".join(parts).split())
            self.blocks.append((tag, block_text))
            if tag[0] == "h" and tag[1:].isdigit():
                self.headings.append((int(tag[1]), block_text))
            if tag == "p":
                self.paragraphs.append(block_text)
            if self._open_blocks:  # a paragraph inside a list item: its text once
                self._open_blocks[-1][1].append(" ")

    def handle_data(self, data: str) -> None:
        if self._open_blocks:
            self._open_blocks[-1][1].append(data)
        if self._link is not None:
            self._link[1].append(data)


def _excerpt(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_html(raw_html: str, *, level: int = SECTION_LEVEL) -> SectionCheck:
    """Check HTML as Markdown renders it (unsanitised). Pure: no database, no settings."""
    reader = _Reader()
    reader.feed(raw_html)
    reader.close()
    result = SectionCheck()

    for image in reader.images:
        if not (image.get("alt") or "").strip():
            result.refusals.append(
                Finding(
                    "image-alt",
                    _(
                        "An image has no alt text (WCAG 1.1.1 Non-text content). Write "
                        "what the image shows between the brackets: ![what it shows](%(src)s)."
                    )
                    % {"src": image.get("src") or ""},
                    image.get("src") or "",
                )
            )
    previous = level
    for heading_level, text in reader.headings:
        if heading_level <= level:
            result.refusals.append(
                Finding(
                    "heading-above",
                    _(
                        "The heading “%(text)s” is level %(found)s, but headings in a section "
                        "must be below the section’s own heading: use %(hashes)s or more "
                        "(WCAG 1.3.1 Info and relationships)."
                    )
                    % {"text": text, "found": heading_level, "hashes": "#" * (level + 1)},
                    text,
                )
            )
        elif heading_level > previous + 1:
            result.refusals.append(
                Finding(
                    "heading-skip",
                    _(
                        "The heading “%(text)s” skips a level: it is level %(found)s after "
                        "level %(previous)s. Use %(hashes)s (WCAG 1.3.1 Info and "
                        "relationships)."
                    )
                    % {
                        "text": text,
                        "found": heading_level,
                        "previous": previous,
                        "hashes": "#" * (previous + 1),
                    },
                    text,
                )
            )
        previous = max(level, heading_level)
    for href, text, has_image in reader.links:
        if not text and not has_image:
            result.refusals.append(
                Finding(
                    "link-empty",
                    _(
                        "A link to %(href)s has no text: write what it leads to between the "
                        "square brackets (WCAG 2.4.4 Link purpose)."
                    )
                    % {"href": href or "…"},
                    href,
                )
            )
        elif not href.strip():
            result.refusals.append(
                Finding(
                    "link-empty",
                    _("The link “%(text)s” leads nowhere: give its address in the brackets.")
                    % {"text": text},
                    text,
                )
            )
        elif text.lower().strip(" .,:;!?") in VAGUE_LINK_TEXTS:
            result.warnings.append(
                Finding(
                    "link-text",
                    _(
                        "The link text “%(text)s” says nothing about where the link leads. "
                        "Use words that make sense on their own."
                    )
                    % {"text": text},
                    text,
                )
            )
    all_sentences = [sentence for _tag, block in reader.blocks for sentence in sentences(block)]
    too_long = (
        (
            "sentence-long",
            all_sentences,
            MAX_SENTENCE_WORDS,
            120,
            _("A sentence has %(n)s words (more than %(max)s): “%(text)s”"),
        ),
        (
            "paragraph-long",
            reader.paragraphs,
            MAX_PARAGRAPH_WORDS,
            80,
            _("A paragraph has %(n)s words (more than %(max)s): “%(text)s”"),
        ),
    )
    for code, parts, most, shown, message in too_long:
        for part in parts:
            n = len(words(part))
            if n > most:
                text = _excerpt(part, shown)
                result.warnings.append(
                    Finding(code, message % {"n": n, "max": most, "text": text}, part)
                )
    result.lix = lix([block for _tag, block in reader.blocks])
    return result


def check_markdown(text: str, *, level: int = SECTION_LEVEL) -> SectionCheck:
    """Check a section's Markdown as the editor wrote it."""
    raw = markdown_lib.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return check_html(raw, level=level)


@dataclass
class ChapterSummary:
    title: str
    sections: list[tuple[str, SectionCheck]]

    @property
    def lix(self) -> float | None:
        values = [c.lix.value for _h, c in self.sections if c.lix.value is not None]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def band(self) -> str:
        return lix_band(self.lix)

    @property
    def refusals(self) -> int:
        return sum(len(c.refusals) for _h, c in self.sections)

    @property
    def warnings(self) -> int:
        return sum(len(c.warnings) for _h, c in self.sections)


def draft_summary() -> list[ChapterSummary]:
    """The checks for every active chapter of the working draft: two queries."""
    from guide.models import Chapter, Section

    chapters = list(Chapter.objects.active().order_by("kind", "order", "pk"))
    by_chapter: dict[int, list[tuple[str, SectionCheck]]] = {c.pk: [] for c in chapters}
    for section in Section.objects.active().filter(chapter__in=chapters).order_by("order", "pk"):
        by_chapter[section.chapter_id].append((section.heading, check_markdown(section.body)))
    return [ChapterSummary(c.title, by_chapter[c.pk]) for c in chapters]
