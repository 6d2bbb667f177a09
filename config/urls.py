from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path

from guide import editor
from public.sitemaps import CurrentChapterSitemap, EditionSitemap, StaticSitemap
from public.views import robots

SITEMAPS = {
    "pages": StaticSitemap,
    "guide": CurrentChapterSitemap,
    "editions": EditionSitemap,
}


handler500 = "config.unavailable.handler500"

admin.site.site_header = "Innspill"
admin.site.site_title = "Innspill"

urlpatterns = [
    path("admin/", admin.site.urls),
    # markdownx's widget posts to these paths; our views, for editors only.
    path("markdownx/markdownify/", editor.preview, name="markdownx_markdownify"),
    path("markdownx/upload/", editor.upload, name="markdownx_upload"),
    # Uploaded images, served by the app in production too (see guide/editor.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", editor.media, name="media"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    path("api/v1/", include("public.api_urls")),
    path("", include("archive.urls")),
    path("", include("subscriptions.urls")),
    path("", include("comments.urls")),
    path("", include("public.urls")),
]


def ping(request):
    """The cheapest response Django can give through the same middleware."""
    return HttpResponse("ok", content_type="text/plain")


if settings.BENCHMARK_ENDPOINTS:
    urlpatterns += [path("_bench/ping", ping)]
