"""Word-level differences between two texts, and between two editions of the guide.

Diffs of frozen editions never change, so they are computed once and cached under a key
naming both editions; publishing a new edition changes which pair a page asks for, never
the answer for a pair.
"""

from __future__ import annotations

import difflib
import re

from core.cache import cache_get, cache_set
from guide.changes import ChapterChange, compare, edition_state
from guide.models import Edition

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
CACHE_SECONDS = 30 * 24 * 3600
CACHE_VERSION = 3  # 2: SectionChange.comments became .addressed; 3: ChangeStatus

Op = tuple[str, str]  # ("equal" | "insert" | "delete", text)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Op]:
    """The changes from `old` to `new` word by word, merged into runs."""
    a, b = tokens(old), tokens(new)
    ops: list[Op] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return ops


def _texts(edition: Edition) -> dict[int, str]:
    return dict(edition.sections.values_list("section_id", "text"))


def editions_compared(old: Edition, new: Edition) -> list[ChapterChange]:
    """Every change between two editions, with word diffs of changed text. Cached."""
    # The publishing times make the key unique to these two editions even in a database
    # emptied and filled again, where ids are reused.
    key = f"compare:{old.pk}:{old.published_at.timestamp()}:{new.pk}:{new.published_at.timestamp()}"
    changes = cache_get(key, version=CACHE_VERSION)
    if changes is None:
        changes = compare(edition_state(old), edition_state(new))
        old_text, new_text = _texts(old), _texts(new)
        for chapter in changes:
            for section in chapter.sections:
                if section.text_changed or section.is_added or section.is_removed:
                    section_id = section.current.id
                    section.diff = word_diff(
                        old_text.get(section_id, ""), new_text.get(section_id, "")
                    )
        cache_set(key, changes, CACHE_SECONDS, version=CACHE_VERSION)
    return changes
