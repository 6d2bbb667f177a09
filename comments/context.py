"""The section text around a comment's quote, for the moderator's change form."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext as _

from comments.anchoring import locate
from comments.models import Comment
from core.markdown import html_text

AROUND = 400  # characters of the section shown on each side of the quote


def _trim_start(text: str) -> str:
    """Start at a word boundary, marked as cut."""
    space = text.find(" ")
    return "… " + text[space + 1 :] if 0 <= space < 40 else "… " + text


def _trim_end(text: str) -> str:
    space = text.rfind(" ")
    return text[:space] + " …" if space > len(text) - 40 else text + " …"


def section_context_html(comment: Comment) -> str:
    """The section as the commenter read it, with the quoted passage marked and a few
    hundred characters of text on each side; the opening of the section without a quote."""
    section = comment.edition_section
    text = html_text(section.body_html)
    heading = format_html('<p class="section-context__heading">{}</p>', section.heading)
    if not comment.quote:
        shown = text if len(text) <= 2 * AROUND else _trim_end(text[: 2 * AROUND])
        return format_html('<div class="section-context">{}<p>{}</p></div>', heading, shown.strip())
    anchor = locate(text, comment.quote, comment.quote_prefix, comment.quote_suffix)
    if anchor.start is None or anchor.end is None:
        return format_html(
            '<div class="section-context">{}<p>{}</p></div>',
            heading,
            _("The quoted passage is no longer found in this version of the section."),
        )
    before = text[max(0, anchor.start - AROUND) : anchor.start]
    after = text[anchor.end : anchor.end + AROUND]
    if anchor.start > AROUND:
        before = _trim_start(before)
    if anchor.end + AROUND < len(text):
        after = _trim_end(after)
    return format_html(
        '<div class="section-context">{}<p>{}<mark>{}</mark>{}</p></div>',
        heading,
        before,
        text[anchor.start : anchor.end],
        after,
    )
