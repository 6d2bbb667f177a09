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
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from comments.forms import CommentForm
from comments.selectors import published_counts
from guide.models import ChapterKind, Edition
from guide.pages import (
    current_edition_or_404,
    edition_chapters,
    edition_or_404,
    guide_context,
    neighbours,
    old_chapter_address,
)


@require_GET
def front(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    if edition is None:
        return render(request, "guide/front.html", {"edition": None})
    chapters = edition_chapters(edition)
    return render(request, "guide/front.html", guide_context(edition, chapters))


@require_GET
def contents(request: HttpRequest) -> HttpResponse:
    edition = current_edition_or_404()
    chapters = edition_chapters(edition)
    return render(request, "guide/contents.html", guide_context(edition, chapters))


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    edition = current_edition_or_404()
    chapters = edition_chapters(edition)
    return render(request, "guide/case_list.html", guide_context(edition, chapters))


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
    chapters = edition_chapters(edition)
    chapter = next((c for c in chapters if c.slug == slug), None)
    if chapter is None:
        if kind is not None:
            return old_chapter_address(request, edition, slug)
        raise Http404("No such chapter in this edition.")
    if kind is not None and chapter.kind != kind:
        return HttpResponsePermanentRedirect(chapter.current_url())
    sections = list(chapter.sections.all())  # each knows its chapter: no extra queries
    counts = published_counts([s.section_id for s in sections])
    for section in sections:
        section.comment_count = counts.get(section.section_id, 0)
    at_stable_address = kind is not None
    is_open = at_stable_address and edition.comment_period_state() == "open"
    previous, following = neighbours(chapters, chapter)
    context = guide_context(
        edition,
        chapters,
        chapter=chapter,
        sections=sections,
        previous_chapter=previous,
        next_chapter=following,
        is_current=edition.pk == current.pk,
        at_stable_address=at_stable_address,
        current_edition=current,
        comment_form=CommentForm() if is_open else None,
    )
    return render(request, "guide/chapter_detail.html", context)


@require_GET
def chapter(request: HttpRequest, chapter: str) -> HttpResponse:
    edition = current_edition_or_404()
    return _chapter_page(request, edition, chapter, ChapterKind.CHAPTER, current=edition)


@require_GET
def case(request: HttpRequest, case: str) -> HttpResponse:
    edition = current_edition_or_404()
    return _chapter_page(request, edition, case, ChapterKind.CASE, current=edition)


@require_GET
def editions(request: HttpRequest) -> HttpResponse:
    all_editions = list(Edition.objects.newest_first())
    context = {"editions": all_editions, "edition": all_editions[0] if all_editions else None}
    return render(request, "guide/edition_list.html", context)


@require_GET
def edition(request: HttpRequest, number: str) -> HttpResponse:
    chosen = edition_or_404(number)
    current = Edition.objects.current()
    chapters = edition_chapters(chosen)
    context = guide_context(
        chosen, chapters, is_current=chosen.pk == current.pk, current_edition=current
    )
    return render(request, "guide/edition_detail.html", context)


@require_GET
def edition_chapter(request: HttpRequest, number: str, chapter: str) -> HttpResponse:
    chosen = edition_or_404(number)
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
