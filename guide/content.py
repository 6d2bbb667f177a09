"""Read the guide's content folder: Markdown files with a small front matter.

    content/edition.md            number, title, comment_period_days; body = summary
    content/kapitler/NN-*.md      chapters, in file-name order
    content/eksempler/NN-*.md     case studies, in file-name order

A chapter file has `slug` and `title` (case studies also `organisation` and
`channels`) between `---` lines, then its introduction, then sections, each starting
with a line `## Heading {#slug}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from guide.models import RESERVED_CHAPTER_SLUGS, RESERVED_SECTION_SLUGS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_LINE = re.compile(r"^## +(?P<heading>.+?) *\{#(?P<slug>[^}]+)\} *$")


class ContentError(ValueError):
    """The content folder does not follow the expected format."""


@dataclass
class SectionContent:
    slug: str
    heading: str
    body: str


@dataclass
class ChapterContent:
    kind: str
    slug: str
    title: str
    intro: str
    organisation: str = ""
    channels: str = ""
    sections: list[SectionContent] = field(default_factory=list)


@dataclass
class EditionContent:
    number: str
    title: str
    summary: str
    comment_period_days: int


@dataclass
class GuideContent:
    edition: EditionContent
    chapters: list[ChapterContent]


def _front_matter(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{path}: must start with a '---' line and front matter.")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{path}: the front matter has no closing '---' line.") from None
    meta = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ContentError(f"{path}: front matter line {line!r} is not 'key: value'.")
        meta[key.strip()] = value.strip()
    return meta, "\n".join(lines[end + 1 :]).strip()


def _require(meta: dict[str, str], key: str, path: Path) -> str:
    if not meta.get(key):
        raise ContentError(f"{path}: the front matter needs '{key}'.")
    return meta[key]


def read_chapter(path: Path, kind: str) -> ChapterContent:
    meta, body = _front_matter(path)
    slug = _require(meta, "slug", path)
    if not SLUG.match(slug):
        raise ContentError(f"{path}: slug {slug!r} may only hold a-z, 0-9 and hyphens.")
    if slug in RESERVED_CHAPTER_SLUGS:
        raise ContentError(f"{path}: slug {slug!r} is used by the site itself.")
    chapter = ChapterContent(
        kind=kind,
        slug=slug,
        title=_require(meta, "title", path),
        intro="",
        organisation=meta.get("organisation", ""),
        channels=meta.get("channels", ""),
    )
    intro: list[str] = []
    parts: list[tuple[str, str, list[str]]] = []  # (slug, heading, lines)
    for line in body.splitlines():
        match = SECTION_LINE.match(line)
        if match:
            section_slug = match["slug"].strip()
            if not SLUG.match(section_slug) or section_slug in RESERVED_SECTION_SLUGS:
                raise ContentError(f"{path}: section slug {section_slug!r} is not allowed.")
            if any(slug == section_slug for slug, _, _ in parts):
                raise ContentError(f"{path}: section slug {section_slug!r} is used twice.")
            parts.append((section_slug, match["heading"], []))
        elif line.startswith(("# ", "## ")):
            raise ContentError(f"{path}: {line!r} must be '## Heading {{#slug}}' or ###.")
        else:
            (parts[-1][2] if parts else intro).append(line)
    chapter.intro = "\n".join(intro).strip()
    for slug, heading, lines in parts:
        text = "\n".join(lines).strip()
        if not text:
            raise ContentError(f"{path}: section {slug!r} has no text.")
        chapter.sections.append(SectionContent(slug, heading, text))
    if not chapter.sections:
        raise ContentError(f"{path}: a chapter needs at least one '## Heading {{#slug}}'.")
    return chapter


def read_content(folder: Path) -> GuideContent:
    """Read and check the whole content folder, or raise ContentError."""
    edition_file = folder / "edition.md"
    if not edition_file.is_file():
        raise ContentError(f"{edition_file}: not found.")
    meta, summary = _front_matter(edition_file)
    try:
        days = int(meta.get("comment_period_days", "0") or 0)
    except ValueError:
        raise ContentError(f"{edition_file}: comment_period_days must be a number.") from None
    edition = EditionContent(
        number=_require(meta, "number", edition_file),
        title=_require(meta, "title", edition_file),
        summary=summary,
        comment_period_days=days,
    )
    chapters = [read_chapter(p, "chapter") for p in sorted((folder / "kapitler").glob("*.md"))]
    chapters += [read_chapter(p, "case") for p in sorted((folder / "eksempler").glob("*.md"))]
    if not chapters:
        raise ContentError(f"{folder}: no chapters in kapitler/ or eksempler/.")
    seen: set[str] = set()
    for chapter in chapters:
        if chapter.slug in seen:
            raise ContentError(f"{folder}: chapter slug {chapter.slug!r} is used twice.")
        seen.add(chapter.slug)
    return GuideContent(edition=edition, chapters=chapters)
