"""Answers for addresses the current edition no longer has: moved (301) or gone (410)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render

from guide.models import Edition, EditionChapter, EditionSection


def gone(request: HttpRequest, *, title: str, last_url: str, last: Edition) -> HttpResponse:
    context = {"title": title, "last_url": last_url, "last_edition": last}
    return render(request, "public/gone.html", context, status=410)


def chapter_once_at(slug: str) -> EditionChapter | None:
    """The newest snapshot of the chapter that last had `slug` as its address."""
    return (
        EditionChapter.objects.filter(slug=slug)
        .order_by("-edition__published_at")
        .only("chapter_id")
        .first()
    )


def old_chapter_address(request: HttpRequest, edition: Edition, slug: str) -> HttpResponse:
    """A chapter slug the current edition lacks: renamed (301), removed (410) or never."""
    past = chapter_once_at(slug)
    if past is None:
        raise Http404("No such chapter.")
    now = EditionChapter.objects.filter(edition=edition, chapter_id=past.chapter_id).first()
    if now is not None:
        return HttpResponsePermanentRedirect(now.current_url())
    last = (
        EditionChapter.objects.filter(chapter_id=past.chapter_id)
        .select_related("edition")
        .order_by("-edition__published_at")
        .first()
    )
    assert last is not None  # chapter_once_at found it in an edition
    return gone(request, title=last.title, last_url=last.edition_url(), last=last.edition)


def old_section_address(
    request: HttpRequest, edition: Edition, chapter_slug: str, section_slug: str
) -> HttpResponse:
    """A section address the current edition lacks: renamed or moved, removed, or never."""
    past = (
        EditionSection.objects.filter(slug=section_slug, edition_chapter__slug=chapter_slug)
        .order_by("-edition__published_at")
        .only("section_id")
        .first()
    )
    if past is None:
        # Perhaps the chapter was renamed and the section kept its slug.
        chapter = EditionChapter.objects.filter(slug=chapter_slug).only("chapter_id").first()
        if chapter is not None:
            past = (
                EditionSection.objects.filter(
                    slug=section_slug, edition_chapter__chapter_id=chapter.chapter_id
                )
                .only("section_id")
                .first()
            )
    if past is None:
        raise Http404("No such section.")
    now = (
        EditionSection.objects.filter(edition=edition, section_id=past.section_id)
        .select_related("edition_chapter")
        .first()
    )
    if now is not None:
        return HttpResponsePermanentRedirect(now.current_url())
    last = (
        EditionSection.objects.filter(section_id=past.section_id)
        .select_related("edition", "edition_chapter__edition")
        .order_by("-edition__published_at")
        .first()
    )
    assert last is not None  # `past` found it in an edition
    return gone(
        request,
        title=last.heading,
        last_url=f"{last.edition_chapter.edition_url()}#{last.slug}",
        last=last.edition,
    )
