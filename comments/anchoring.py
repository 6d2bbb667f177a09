"""Find a quoted passage again in a section's text, in this or a later edition.

Exact match first (whitespace-insensitive; the surrounding text picks between repeats),
then the text around the quote: if the words before and after it are still there, the
passage between them is the rewritten version. Offsets are in core.markdown.html_text()
coordinates, so they can be highlighted in the stored HTML.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from comments.models import CONTEXT_CHARS, AnchorState

_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=64)
def normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """Collapse whitespace runs to one space; return the text and, for each of its
    characters, the index of that character in the original. Kept for the last few
    texts: re-anchoring looks for every quote of a section in the same text, and a
    comment's quote is checked and located in it more than once."""
    chars, index = [], []
    previous_space = True
    for position, char in enumerate(text):
        if char.isspace():
            if previous_space:
                continue
            chars.append(" ")
            previous_space = True
        else:
            chars.append(char)
            previous_space = False
        index.append(position)
    while chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return "".join(chars), tuple(index)


def clean_quote(quote: str) -> str:
    return _SPACE.sub(" ", quote).strip()


@dataclass(frozen=True)
class Anchor:
    state: str
    start: int | None = None
    end: int | None = None
    prefix: str = ""
    suffix: str = ""


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def locate(text: str, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
    """Where `quote` is in `text`, given the text that stood before and after it."""
    quote = clean_quote(quote)
    if not quote:
        return Anchor(AnchorState.NONE)
    norm, index = normalise(text)
    prefix, suffix = clean_quote(prefix), clean_quote(suffix)

    starts = [m.start() for m in re.finditer(re.escape(quote), norm)]
    if starts:
        best = max(
            starts,
            key=lambda s: (
                _similarity(norm[max(0, s - len(prefix)) : s].strip(), prefix)
                + _similarity(norm[s + len(quote) : s + len(quote) + len(suffix)].strip(), suffix)
            ),
        )
        return _anchor(AnchorState.EXACT, norm, index, best, best + len(quote))

    # The passage itself is gone: is the text around it still there?
    if len(prefix) >= 8 and len(suffix) >= 8:
        before = norm.find(prefix)
        if before != -1:
            start = before + len(prefix)
            after = norm.find(suffix, start)
            if after != -1 and after - start <= max(3 * len(quote), 200):
                start, end = _trim(norm, start, after)
                if end > start:
                    return _anchor(AnchorState.CHANGED, norm, index, start, end)

    # A lightly edited passage: the longest stretch it shares with the text.
    matcher = difflib.SequenceMatcher(None, norm, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(norm), 0, len(quote))
    if match.size >= max(12, len(quote) // 2):
        start = max(0, match.a - match.b)
        end = min(len(norm), start + len(quote))
        return _anchor(AnchorState.CHANGED, norm, index, start, end)
    return Anchor(AnchorState.LOST)


def _trim(norm: str, start: int, end: int) -> tuple[int, int]:
    while start < end and norm[start] == " ":
        start += 1
    while end > start and norm[end - 1] == " ":
        end -= 1
    return start, end


def _anchor(state: str, norm: str, index: tuple[int, ...], start: int, end: int) -> Anchor:
    return Anchor(
        state=state,
        start=index[start],
        end=index[end - 1] + 1,
        prefix=norm[max(0, start - CONTEXT_CHARS) : start].lstrip(),
        suffix=norm[end : end + CONTEXT_CHARS].rstrip(),
    )
