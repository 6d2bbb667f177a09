from django.urls import path

import guide.converters  # noqa: F401 - registers the <edition:...> converter
from public import section, views
from public.feeds import CommentFeed, EditionFeed

app_name = "public"

urlpatterns = [
    path("", views.front, name="front"),
    path("veileder/", views.contents, name="contents"),
    path("veileder/hele/", views.whole_guide, name="whole"),
    path("veileder/<slug:chapter>/", views.chapter, name="chapter"),
    path("veileder/<slug:chapter>/endringer/", views.chapter_history, name="chapter_history"),
    path("veileder/<slug:chapter>/<slug:section>/", section.section, name="section"),
    path("eksempler/", views.cases, name="cases"),
    path("eksempler/<slug:case>/", views.case, name="case"),
    path("eksempler/<slug:case>/<slug:section>/", section.case_section, name="case_section"),
    path("versjoner/", views.editions, name="editions"),
    path("endringer/", views.compare_editions, name="compare"),
    path("sok/", views.search, name="search"),
    path("versjoner/<edition:number>/", views.edition, name="edition"),
    path(
        "versjoner/<edition:number>/<slug:chapter>/", views.edition_chapter, name="edition_chapter"
    ),
    path("personvern/", views.privacy, name="privacy"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("sprak/", views.language, name="language"),
    path("apne-data/", views.api_docs, name="api_docs"),
    path("api/", views.api_root, name="api_root"),
    path("feed/versjoner/", EditionFeed(), name="edition_feed"),
    path("feed/kommentarer/", CommentFeed(), name="comment_feed"),
    path("feed/kommentarer/<slug:chapter>/", CommentFeed(), name="chapter_comment_feed"),
]
