from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_HEADING = re.compile(r"<(/?)h([1-6])\b")


@register.filter
def demote_headings(rendered_html: str, levels: int = 1) -> SafeString:
    """Push the headings of stored, sanitised HTML down, for pages that nest it deeper."""
    return mark_safe(
        _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + levels)}", rendered_html)
    )


@register.filter
def promote_headings(rendered_html: str, levels: int = 1) -> SafeString:
    """Lift the headings of stored, sanitised HTML up, for pages where the section's own
    heading is the h1 (its ### sub-headings become h2 there). Never above h2."""
    return mark_safe(
        _HEADING.sub(lambda m: f"<{m.group(1)}h{max(2, int(m.group(2)) - levels)}", rendered_html)
    )


@register.simple_tag
def absolute_url(path: str) -> str:
    """An absolute address for `path` on this site: from SITE_URL, never from the
    request's Host header (which a client chooses)."""
    return settings.SITE_URL + path
