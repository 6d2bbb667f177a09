"""What changed between two states of the guide.

A state is the working draft or a published edition, reduced to plain values keyed by
chapter and section identity (primary keys), so that a renamed or moved section is
recognised as the same section and not as one removed and one added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from guide.models import Chapter, Edition, EditionChapter, EditionSection, Section


@dataclass(frozen=True)
class SectionState:
    id: int
    slug: str
    heading: str
    order: int
    body: str


@dataclass
class ChapterState:
    id: int
    kind: str
    slug: str
    title: str
    order: int
    intro: str
    sections: list[SectionState] = field(default_factory=list)


State = dict[int, ChapterState]


def draft_state() -> State:
    """The working draft: active chapters with their active sections, in order."""
    state = {
        c.pk: ChapterState(c.pk, c.kind, c.slug, c.title, c.order, c.intro)
        for c in Chapter.objects.active().order_by("kind", "order", "pk")
    }
    for s in Section.objects.active().filter(chapter__in=list(state)).order_by("order", "pk"):
        state[s.chapter_id].sections.append(SectionState(s.pk, s.slug, s.heading, s.order, s.body))
    return state


def edition_state(edition: Edition) -> State:
    """A published edition, from its snapshot rows."""
    chapters = EditionChapter.objects.filter(edition=edition).order_by("kind", "order", "pk")
    state = {}
    by_snapshot = {}
    for c in chapters:
        state[c.chapter_id] = by_snapshot[c.pk] = ChapterState(
            c.chapter_id, c.kind, c.slug, c.title, c.order, c.intro
        )
    sections = EditionSection.objects.filter(edition=edition).order_by("order", "pk")
    for s in sections:
        by_snapshot[s.edition_chapter_id].sections.append(
            SectionState(s.section_id, s.slug, s.heading, s.order, s.body)
        )
    return state


class ChangeStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class Change[S]:
    """What chapter and section changes share: their status, asked by name, and the
    two sides, of which at least one is there."""

    status: ChangeStatus
    old: S | None
    new: S | None

    @property
    def current(self) -> S:
        current = self.new or self.old
        assert current is not None  # a change has at least one side
        return current

    @property
    def is_added(self) -> bool:
        return self.status == ChangeStatus.ADDED

    @property
    def is_removed(self) -> bool:
        return self.status == ChangeStatus.REMOVED

    @property
    def is_unchanged(self) -> bool:
        return self.status == ChangeStatus.UNCHANGED


@dataclass
class SectionChange(Change[SectionState]):
    renamed: bool = False
    moved: bool = False
    moved_from: ChapterState | None = None  # the chapter it was in, if it changed chapter
    moved_to: ChapterState | None = None
    text_changed: bool = False
    diff: list[tuple[str, str]] | None = None  # word diff, filled in by guide.diff
    # The comments the change answered (comments.selectors.Addressed) and where to read
    # them all, filled in by the compare view.
    addressed: Any = field(default=None, compare=False, repr=False)
    addressed_url: str = field(default="", compare=False, repr=False)


@dataclass
class ChapterChange(Change[ChapterState]):
    renamed: bool = False
    moved: bool = False
    intro_changed: bool = False
    sections: list[SectionChange] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [s for s in self.sections if not s.is_unchanged]


def _relative_positions(ids: list[int], keep: set[int]) -> dict[int, int]:
    return {i: n for n, i in enumerate(x for x in ids if x in keep)}


def compare(old: State, new: State) -> list[ChapterChange]:
    """Chapter by chapter, what changed from `old` to `new`, in the new order."""
    old_home = {s.id: c for c in old.values() for s in c.sections}
    new_home = {s.id: c for c in new.values() for s in c.sections}
    common_chapters = set(old) & set(new)
    old_chapter_pos = _relative_positions([c.id for c in old.values()], common_chapters)
    new_chapter_pos = _relative_positions([c.id for c in new.values()], common_chapters)

    changes = []
    ordered = list(new.values()) + [c for c in old.values() if c.id not in new]
    for chapter in ordered:
        before, after = old.get(chapter.id), new.get(chapter.id)
        change = ChapterChange(status=ChangeStatus.UNCHANGED, old=before, new=after)
        if before is None:
            change.status = ChangeStatus.ADDED
        elif after is None:
            change.status = ChangeStatus.REMOVED
        else:
            change.renamed = (before.slug, before.title) != (after.slug, after.title)
            change.moved = old_chapter_pos[chapter.id] != new_chapter_pos[chapter.id]
            change.intro_changed = before.intro != after.intro
        change.sections = _compare_sections(before, after, old_home, new_home)
        if change.is_unchanged and (
            change.renamed or change.moved or change.intro_changed or change.changed_sections
        ):
            change.status = ChangeStatus.CHANGED
        changes.append(change)
    return changes


def _compare_sections(
    before: ChapterState | None,
    after: ChapterState | None,
    old_home: dict[int, ChapterState],
    new_home: dict[int, ChapterState],
) -> list[SectionChange]:
    old_sections = {s.id: s for s in before.sections} if before else {}
    new_sections = {s.id: s for s in after.sections} if after else {}
    common = set(old_sections) & set(new_sections)
    old_pos = _relative_positions(list(old_sections), common)
    new_pos = _relative_positions(list(new_sections), common)

    result = []
    for section in new_sections.values():
        prior = old_sections.get(section.id)
        if prior is None:
            came_from = old_home.get(section.id)
            if came_from is None:
                result.append(SectionChange(ChangeStatus.ADDED, None, section))
                continue
            prior = next(s for s in came_from.sections if s.id == section.id)
            result.append(_changed(prior, section, moved=True, moved_from=came_from))
            continue
        result.append(_changed(prior, section, moved=old_pos[section.id] != new_pos[section.id]))
    for section in old_sections.values():
        if section.id in new_sections:
            continue
        went_to = new_home.get(section.id)
        if went_to is None:
            result.append(SectionChange(ChangeStatus.REMOVED, section, None))
        else:
            # Listed under its new chapter as moved; here only a pointer to it.
            result.append(
                SectionChange(ChangeStatus.CHANGED, section, None, moved=True, moved_to=went_to)
            )
    return result


def _changed(
    prior: SectionState,
    section: SectionState,
    *,
    moved: bool,
    moved_from: ChapterState | None = None,
) -> SectionChange:
    change = SectionChange(
        ChangeStatus.UNCHANGED,
        prior,
        section,
        renamed=(prior.slug, prior.heading) != (section.slug, section.heading),
        moved=moved,
        moved_from=moved_from,
        text_changed=prior.body != section.body,
    )
    if change.renamed or change.moved or change.text_changed:
        change.status = ChangeStatus.CHANGED
    return change
