from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_HEADING = re.compile(r"<(/?)h([1-6])\b")


@register.filter
def demote_headings(rendered_html: str, levels: int = 1) -> SafeString:
    """Push the headings of stored, sanitised HTML down, for pages that nest it deeper."""
    return mark_safe(
        _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + levels)}", rendered_html)
    )
