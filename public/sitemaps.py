from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as BaseSitemap
from django.urls import reverse

from guide.models import Edition, EditionChapter, EditionSection


class Sitemap(BaseSitemap):
    """Locations from SITE_URL, never from the request's Host or scheme."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "public:front",
            "public:contents",
            "public:cases",
            "public:editions",
            "public:whole",
            "comments:list",
            "comments:consultation",
            "comments:consultation_report",
            "public:privacy",
            "public:accessibility",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class CurrentChapterSitemap(Sitemap):
    """The current version's chapters, case studies and sections at their stable URLs."""

    changefreq = "weekly"
    priority = 0.8

    def items(self):
        current = Edition.objects.current()
        if current is None:
            return []
        chapters = list(EditionChapter.objects.filter(edition=current).select_related("edition"))
        sections = EditionSection.objects.filter(edition=current).select_related(
            "edition", "edition_chapter"
        )
        return chapters + list(sections)

    def location(self, item) -> str:
        return item.current_url()

    def lastmod(self, item):
        return item.edition.published_at


class EditionSitemap(Sitemap):
    """Every frozen edition: they never change."""

    changefreq = "never"
    priority = 0.3

    def items(self):
        return Edition.objects.newest_first()

    def lastmod(self, item: Edition):
        return item.published_at
