from __future__ import annotations

from django import template

from archive.models import Document, DocumentKind
from guide.models import Edition

register = template.Library()


@register.simple_tag
def edition_pdf(edition: Edition) -> Document | None:
    """The stored PDF of `edition`, if made yet (one query): its size for the link."""
    return Document.objects.filter(edition=edition, kind=DocumentKind.EDITION).first()
