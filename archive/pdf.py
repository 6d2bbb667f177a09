"""HTML to tagged, accessible PDF with WeasyPrint.

The PDF variant is PDF/UA-1 (tagged, with a structure tree, document language and
title). WeasyPrint may fetch only the site's own uploaded images, read from storage:
never anything over the network (a section's text could name any address).
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage

PDF_VARIANT = "pdf/ua-1"


def _media_name(url: str) -> str | None:
    """The storage name of an uploaded file at `url` on this site, else None."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    path = unquote(parts.path)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc) or ".." in path:
        return None
    if not path.startswith(settings.MEDIA_URL):
        return None
    return path.removeprefix(settings.MEDIA_URL) or None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class MediaOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            name = _media_name(url)
            if name is None or not default_storage.exists(name):
                raise ValueError(f"Not fetched for a PDF: {url}")
            with default_storage.open(name) as handle:
                data = handle.read()
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, headers={"Content-Type": mime})

    return MediaOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF of `html`, whose links resolve against SITE_URL."""
    from weasyprint import HTML  # imported here: it loads Pango, which takes a moment

    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
