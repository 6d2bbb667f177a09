"""Markdown to safe HTML, once, when text is saved.

Editors write Markdown; python-markdown passes raw HTML through, so everything it
produces goes through nh3 with a short allow-list. The same function serves
markdownx's live preview, so what editors preview is what the public gets.
"""

from __future__ import annotations

import html
import re

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "h3", "h4", "h5", "h6",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": set(),
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["markdown.extensions.tables", "markdown.extensions.sane_lists"]


def render(text: str) -> str:
    """Render editor Markdown to sanitised HTML."""
    raw = markdown_lib.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|tr|dt|dd)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Invisible control characters (all but tab and newline): no place in any text shown,
# stored or sent in a feed (XML cannot carry most of them). The one pattern for them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(rendered_html: str) -> str:
    """The readable text of rendered HTML: for search, diffs and finding quotes."""
    text = _BLOCK_END.sub("\n", rendered_html)
    text = CONTROL_CHARACTERS.sub("", html.unescape(_TAG.sub("", text)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


_TOKENS = re.compile(r"(<[^>]*>)")


def html_text(rendered_html: str) -> str:
    """The text nodes of rendered HTML, unescaped and joined: the coordinate system in
    which quoted passages are located and highlighted."""
    parts = _TOKENS.split(rendered_html)
    return "".join(html.unescape(part) for part in parts[::2])


def highlight(rendered_html: str, ranges: list[tuple[int, int, str]]) -> str:
    """Wrap each (start, end, css_class) range of html_text() in <mark>, splitting a
    range at tag boundaries so the result stays well-formed."""
    if not ranges:
        return rendered_html
    ranges = sorted(ranges)
    out = []
    offset = 0
    for index, part in enumerate(_TOKENS.split(rendered_html)):
        if index % 2:  # a tag
            out.append(part)
            continue
        text = html.unescape(part)
        end_of_node = offset + len(text)
        cursor = 0
        for start, end, css in ranges:
            lo, hi = max(start, offset), min(end, end_of_node)
            if lo >= hi or lo - offset < cursor:
                continue
            out.append(html.escape(text[cursor : lo - offset], quote=False))
            marked = html.escape(text[lo - offset : hi - offset], quote=False)
            # Whitespace between block elements is not text anyone can see.
            out.append(f'<mark class="{css}">{marked}</mark>' if marked.strip() else marked)
            cursor = hi - offset
        out.append(html.escape(text[cursor:], quote=False))
        offset = end_of_node
    return "".join(out)
