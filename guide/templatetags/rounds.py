"""{% consultation_round as round %}: the round for the banner on every public page."""

from __future__ import annotations

from typing import cast

from django import template

from guide.models import Edition
from guide.rounds import Round, round_of

register = template.Library()

_MISSING = object()
_MEMO = "_innspill_round"


@register.simple_tag(takes_context=True)
def consultation_round(context) -> Round | None:
    """Reuse the current edition the view already loaded (as `current_edition`, or as
    `edition` on pages about the current edition), so the banner adds no query there;
    other pages pay one query, once per request."""
    request = context.get("request")
    memo = getattr(request, _MEMO, _MISSING) if request is not None else _MISSING
    if memo is not _MISSING:
        return cast("Round | None", memo)
    current = context.get("current_edition", _MISSING)
    if current is _MISSING or current is None:
        current = context.get("edition", _MISSING)
    if current is _MISSING:
        current = Edition.objects.current()
    editions = context.get("editions")
    found = round_of(current, editions if isinstance(editions, list) else None)
    if request is not None:
        setattr(request, _MEMO, found)
    return found
