from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import include, path
from django.views.static import serve
from markdownx.views import ImageUploadView, MarkdownifyView

from guide.sitemaps import CurrentChapterSitemap, EditionSitemap, StaticSitemap
from guide.views import robots

SITEMAPS = {
    "pages": StaticSitemap,
    "guide": CurrentChapterSitemap,
    "editions": EditionSitemap,
}


def staff_only(view, permission: str):
    """markdownx's endpoints accept anyone by default: only editors may use them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm(permission)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


admin.site.site_header = "Innspill"
admin.site.site_title = "Innspill"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "markdownx/markdownify/",
        staff_only(MarkdownifyView.as_view(), "guide.change_section"),
        name="markdownx_markdownify",
    ),
    path(
        "markdownx/upload/",
        staff_only(ImageUploadView.as_view(), "guide.change_section"),
        name="markdownx_upload",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    path("api/v1/", include("guide.api_urls")),
    path("", include("archive.urls")),
    path("", include("subscriptions.urls")),
    path("", include("comments.urls")),
    path("", include("guide.urls")),
]


def ping(request):
    """The cheapest response Django can give through the same middleware."""
    return HttpResponse("ok", content_type="text/plain")


if settings.BENCHMARK_ENDPOINTS:
    urlpatterns += [path("_bench/ping", ping)]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
