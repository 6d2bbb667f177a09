from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# Which main-menu entry a page belongs to, by URL name.
NAV_SECTIONS = {
    "contents": "guide",
    "chapter": "guide",
    "section": "guide",
    "cases": "cases",
    "case": "cases",
    "case_section": "cases",
    "editions": "versions",
    "edition": "versions",
    "edition_chapter": "versions",
    "list": "comments",
    "detail": "comments",
    "consultation_report": "consultation",
    "consultation": "consultation",
    "search": "search",
    "whole": "guide",
    "chapter_history": "guide",
    "compare": "versions",
}


def site(request: HttpRequest) -> dict[str, str]:
    match = getattr(request, "resolver_match", None)
    return {
        "site_owner": settings.SITE_OWNER,
        # Absolute links (canonical, Open Graph) never come from the Host header.
        "site_url": settings.SITE_URL,
        "contact_email": settings.CONTACT_EMAIL,
        "nav_current": NAV_SECTIONS.get(match.url_name if match else "", ""),
    }
