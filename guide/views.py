"""Public pages of the guide. They read published editions only, never the draft."""

from __future__ import annotations

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from guide.models import ChapterKind, Edition, EditionChapter, EditionSection


def _current_edition() -> Edition:
    edition = Edition.objects.current()
    if edition is None:
        raise Http404("No edition has been published yet.")
    return edition


def _get_edition(number: str) -> Edition:
    return get_object_or_404(Edition, number=number)


def _chapters(edition: Edition) -> list[EditionChapter]:
    """Every chapter and case study of an edition, in reading order: one query."""
    chapters = list(EditionChapter.objects.filter(edition=edition).order_by("kind", "order"))
    for chapter in chapters:
        chapter.edition = edition  # spare a query per chapter when building URLs
    return chapters


def _neighbours(chapters: list[EditionChapter], chapter: EditionChapter):
    same_kind = [c for c in chapters if c.kind == chapter.kind]
    index = same_kind.index(chapter)
    previous = same_kind[index - 1] if index > 0 else None
    following = same_kind[index + 1] if index + 1 < len(same_kind) else None
    return previous, following


def _guide_context(edition: Edition, chapters: list[EditionChapter], **extra) -> dict:
    return {
        "edition": edition,
        "guide_chapters": [c for c in chapters if c.kind == ChapterKind.CHAPTER],
        "case_studies": [c for c in chapters if c.kind == ChapterKind.CASE],
        **extra,
    }


def _gone(request: HttpRequest, *, title: str, last_url: str, last: Edition) -> HttpResponse:
    context = {"title": title, "last_url": last_url, "last_edition": last}
    return render(request, "guide/gone.html", context, status=410)


def _old_chapter_address(request: HttpRequest, edition: Edition, slug: str) -> HttpResponse:
    """A chapter slug the current edition lacks: renamed (301), removed (410) or never."""
    past = (
        EditionChapter.objects.filter(slug=slug)
        .order_by("-edition__published_at")
        .only("chapter_id")
        .first()
    )
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
    return _gone(request, title=last.title, last_url=last.edition_url(), last=last.edition)


def _old_section_address(
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
    return _gone(
        request,
        title=last.heading,
        last_url=f"{last.edition_chapter.edition_url()}#{last.slug}",
        last=last.edition,
    )


@require_GET
def front(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    if edition is None:
        return render(request, "guide/front.html", {"edition": None})
    chapters = _chapters(edition)
    return render(request, "guide/front.html", _guide_context(edition, chapters))


@require_GET
def contents(request: HttpRequest) -> HttpResponse:
    edition = _current_edition()
    chapters = _chapters(edition)
    return render(request, "guide/contents.html", _guide_context(edition, chapters))


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    edition = _current_edition()
    chapters = _chapters(edition)
    return render(request, "guide/case_list.html", _guide_context(edition, chapters))


def _chapter_page(
    request: HttpRequest,
    edition: Edition,
    slug: str,
    kind: str | None,
    *,
    current: Edition,
) -> HttpResponse:
    """A chapter of `edition`. `kind` is None under /versjoner/, where both kinds live
    and nothing redirects: an edition's addresses are frozen with it."""
    chapters = _chapters(edition)
    chapter = next((c for c in chapters if c.slug == slug), None)
    if chapter is None:
        if kind is not None:
            return _old_chapter_address(request, edition, slug)
        raise Http404("No such chapter in this edition.")
    if kind is not None and chapter.kind != kind:
        return HttpResponsePermanentRedirect(chapter.current_url())
    sections = list(chapter.sections.all())  # each knows its chapter: no extra queries
    previous, following = _neighbours(chapters, chapter)
    context = _guide_context(
        edition,
        chapters,
        chapter=chapter,
        sections=sections,
        previous_chapter=previous,
        next_chapter=following,
        is_current=edition.pk == current.pk,
        at_stable_address=kind is not None,
        current_edition=current,
    )
    return render(request, "guide/chapter_detail.html", context)


@require_GET
def chapter(request: HttpRequest, chapter: str) -> HttpResponse:
    edition = _current_edition()
    return _chapter_page(request, edition, chapter, ChapterKind.CHAPTER, current=edition)


@require_GET
def case(request: HttpRequest, case: str) -> HttpResponse:
    edition = _current_edition()
    return _chapter_page(request, edition, case, ChapterKind.CASE, current=edition)


def _section_page(request: HttpRequest, chapter_slug: str, section_slug: str, kind: str):
    edition = _current_edition()
    chapters = _chapters(edition)
    chapter = next((c for c in chapters if c.slug == chapter_slug and c.kind == kind), None)
    section = None
    if chapter is not None:
        section = chapter.sections.filter(slug=section_slug).first()
    if section is None:
        return _old_section_address(request, edition, chapter_slug, section_slug)
    context = _guide_context(edition, chapters, chapter=chapter, section=section)
    return render(request, "guide/section_detail.html", context)


@require_GET
def section(request: HttpRequest, chapter: str, section: str) -> HttpResponse:
    return _section_page(request, chapter, section, ChapterKind.CHAPTER)


@require_GET
def case_section(request: HttpRequest, case: str, section: str) -> HttpResponse:
    return _section_page(request, case, section, ChapterKind.CASE)


@require_GET
def editions(request: HttpRequest) -> HttpResponse:
    all_editions = list(Edition.objects.newest_first())
    context = {"editions": all_editions, "edition": all_editions[0] if all_editions else None}
    return render(request, "guide/edition_list.html", context)


@require_GET
def edition(request: HttpRequest, number: str) -> HttpResponse:
    chosen = _get_edition(number)
    current = Edition.objects.current()
    chapters = _chapters(chosen)
    context = _guide_context(
        chosen, chapters, is_current=chosen.pk == current.pk, current_edition=current
    )
    return render(request, "guide/edition_detail.html", context)


@require_GET
def edition_chapter(request: HttpRequest, number: str, chapter: str) -> HttpResponse:
    chosen = _get_edition(number)
    return _chapter_page(request, chosen, chapter, None, current=Edition.objects.current())


def _statement(request: HttpRequest, name: str) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    template = select_template([f"pages/{name}.{language}.html", f"pages/{name}.nb.html"])
    return HttpResponse(template.render({}, request))


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return _statement(request, "personvern")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return _statement(request, "tilgjengelighet")


@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language by a plain link: no JavaScript, no form, same URLs."""
    code = request.GET.get("lang", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    return response
