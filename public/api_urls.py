from django.urls import path, re_path

import guide.converters  # noqa: F401 - registers the "edition" converter
from public import annotations, api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("editions/", api.editions, name="editions"),
    path("editions/<edition:number>/", api.edition, name="edition"),
    path(
        "editions/<edition:number>/chapters/<slug:slug>/",
        api.edition_chapter,
        name="edition_chapter",
    ),
    path("comments/", api.comments, name="comments"),
    path("annotations/", annotations.annotation_list, name="annotations"),
    path("annotations/<int:pk>/", annotations.annotation, name="annotation"),
    # Anything else under /api/v1/ answers 404 in JSON, not with the site's HTML page.
    re_path(r"^(?P<path>[\s\S]+/)$", api.not_found),
]
