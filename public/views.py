"""Public pages of the guide. They read published editions only, never the draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.defaultfilters import urlencode as urlencode_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from comments.selectors import Addressed, addressed_by_section, with_comment_counts
from core.cache import cached_page, cached_part, kept_per_state, rendered_once, store_part
from core.markdown import CONTROL_CHARACTERS
from guide.changes import ChangeStatus, ChapterState, SectionState, compare
from guide.diff import editions_compared, word_diff
from guide.models import ChapterKind, Edition, EditionChapter, EditionSection, section_url
from guide.selectors import (
    current_edition,
    current_edition_or_404,
    edition_chapters,
    edition_or_404,
    guide_context,
    neighbours,
)
from public.forms import CompareForm
from public.pages import chapter_once_at, old_chapter_address
from public.search import MAX_QUERY, Hit, Search, SearchPage
from public.statements import statement


@require_safe
def front(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    if edition is None:
        return render(request, "public/front.html", {"edition": None})
    chapters = edition_chapters(edition)
    return render(request, "public/front.html", guide_context(edition, chapters))


@require_safe
def contents(request: HttpRequest) -> HttpResponse:
    edition = current_edition_or_404()
    chapters = edition_chapters(edition)
    return render(request, "public/contents.html", guide_context(edition, chapters))


@require_safe
def cases(request: HttpRequest) -> HttpResponse:
    edition = current_edition_or_404()
    chapters = edition_chapters(edition)
    return render(request, "public/case_list.html", guide_context(edition, chapters))


def _chapter_view(view: Callable) -> Callable:
    """A chapter page: GET only, served from the page cache, and rendered once per
    state of the guide also with the page cache off, as it holds nothing personal."""
    return require_safe(cached_page(rendered_once("chapter")(view)))


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
    # Each section knows its chapter through the manager: no query for their URLs.
    sections = list(with_comment_counts(chapter.sections.all()))
    at_stable_address = kind is not None
    is_open = at_stable_address and edition.is_open_for_comments()
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
        comments_open=is_open,
    )
    return render(request, "public/chapter_detail.html", context)


@_chapter_view
def chapter(request: HttpRequest, chapter: str) -> HttpResponse:
    edition = current_edition_or_404()
    return _chapter_page(request, edition, chapter, ChapterKind.CHAPTER, current=edition)


@_chapter_view
def case(request: HttpRequest, case: str) -> HttpResponse:
    edition = current_edition_or_404()
    return _chapter_page(request, edition, case, ChapterKind.CASE, current=edition)


@require_safe
def editions(request: HttpRequest) -> HttpResponse:
    all_editions = list(Edition.objects.newest_first())
    context = {"editions": all_editions, "edition": all_editions[0] if all_editions else None}
    return render(request, "public/edition_list.html", context)


@require_safe
def edition(request: HttpRequest, number: str) -> HttpResponse:
    newest_first = list(Edition.objects.newest_first())
    position = next((i for i, e in enumerate(newest_first) if e.number == number), None)
    if position is None:
        raise Http404("No such edition.")
    chosen = newest_first[position]
    previous = newest_first[position + 1] if position + 1 < len(newest_first) else None
    changes = []
    if previous is not None:
        changes = [c for c in editions_compared(previous, chosen) if not c.is_unchanged]
    context = guide_context(
        chosen,
        edition_chapters(chosen),
        is_current=position == 0,
        current_edition=newest_first[0],
        editions=newest_first,
        previous=previous,
        changes=changes,
    )
    return render(request, "public/edition_detail.html", context)


@_chapter_view
def edition_chapter(request: HttpRequest, number: str, chapter: str) -> HttpResponse:
    chosen = edition_or_404(number)
    current = Edition.objects.current()
    assert current is not None  # `chosen` is published, so some edition is current
    return _chapter_page(request, chosen, chapter, None, current=current)


def _statement(request: HttpRequest, name: str, *, contents: bool = False) -> HttpResponse:
    """A statement page in the reader's language; `contents` lists its sections on top."""
    language = get_language() or settings.LANGUAGE_CODE
    context = {"name": name, "statement": statement(name, language), "contents": contents}
    return render(request, "pages/statement.html", context)


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return _statement(request, "personvern")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return _statement(request, "tilgjengelighet")


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API and the open-data files explained for people, in the reader's language.
    Example addresses are absolute, from SITE_URL, never from the request's Host."""
    return _statement(request, "api", contents=True)


@require_safe
def api_root(request: HttpRequest) -> HttpResponse:
    """/api/ is where people guess first: send them to the page that explains the API."""
    return HttpResponseRedirect(reverse("public:api_docs"))


@require_safe
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language by a plain link: no JavaScript, no form, same URLs."""
    code = request.GET.get("lang", "")
    target = request.GET.get("next", "/")
    same_site = target.startswith("/") and not target.startswith("//")
    if not same_site or not url_has_allowed_host_and_scheme(
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


def _change_summary(changes) -> dict[str, int]:
    summary = {"added": 0, "removed": 0, "renamed": 0, "moved": 0, "changed": 0}
    for chapter in changes:
        for section in chapter.sections:
            if section.is_added or section.is_removed:
                summary[section.status] += 1
            elif section.new is not None and section.status == ChangeStatus.CHANGED:
                summary["renamed"] += section.renamed
                summary["moved"] += section.moved
                summary["changed"] += section.text_changed
    return summary


# A changed section lists the first comments it answered and counts the rest, so the
# page is the same size however many comments one change answered.
ADDRESSED_SHOWN = 5
COMPARE_PARAMS = ("fra", "til", "visning")


def _addressed_between(
    request: HttpRequest, old: Edition, new: Edition, editions: list[Edition]
) -> dict[int, Addressed]:
    """Published comments addressed by the changes from `old` to `new`, by section: the
    first few of each and how many. One query per database state (kept_per_state), and
    it returns at most ADDRESSED_SHOWN rows per section."""
    later, earlier = (new, old) if new.published_at >= old.published_at else (old, new)
    between = sorted(
        e.pk for e in editions if earlier.published_at < e.published_at <= later.published_at
    )
    return kept_per_state(
        request,
        f"addressed:{ADDRESSED_SHOWN}:{between}",
        lambda: addressed_by_section(between, first=ADDRESSED_SHOWN),
    )


def _section_comments_url(chapter: ChapterState, section: SectionState) -> str:
    """Where all the comments on `section` are listed: its page, by its address in the
    newer edition (the guide answers an address that later changed with a redirect)."""
    return section_url(chapter.kind, chapter.slug, section.slug) + "#kommentarer"


@require_safe
@cached_page(params=COMPARE_PARAMS)
@rendered_once("compare", params=COMPARE_PARAMS)  # also with the page cache off
def compare_editions(request: HttpRequest) -> HttpResponse:
    """What changed between any two editions: a form that needs no JavaScript, then
    chapters and sections added, removed, renamed, moved and changed, word by word."""
    all_editions = list(Edition.objects.newest_first())
    context: dict[str, Any] = {
        "editions": all_editions,
        "edition": all_editions[0] if all_editions else None,
    }
    if len(all_editions) < 2:
        return render(request, "public/compare.html", context)
    form = CompareForm(request.GET, editions=all_editions)
    context["form"] = form
    if not form.is_valid():
        return render(request, "public/compare.html", context, status=400)
    old, new = form.cleaned_data["fra"], form.cleaned_data["til"]
    changes = [c for c in editions_compared(old, new) if not c.is_unchanged]
    addressed = _addressed_between(request, old, new, all_editions)
    for chapter_change in changes:
        for section_change in chapter_change.sections:
            found = addressed.get(section_change.current.id)
            section_change.addressed = found
            if found is not None and found.more and section_change.new is not None:
                section_change.addressed_url = _section_comments_url(
                    chapter_change.current, section_change.new
                )
    context.update(
        old=old,
        new=new,
        view=form.cleaned_data["visning"],
        changes=changes,
        summary=_change_summary(changes),
        query=urlencode({"fra": old.number, "til": new.number}),
    )
    return render(request, "public/compare.html", context)


@require_safe
def chapter_history(request: HttpRequest, chapter: str) -> HttpResponse:
    """One chapter across every edition that had it, newest change first."""
    current = current_edition_or_404()
    found = EditionChapter.objects.filter(edition=current, slug=chapter).first()
    if found is None:
        past = chapter_once_at(chapter)
        if past is None:
            raise Http404("No such chapter.")
        now = EditionChapter.objects.filter(edition=current, chapter_id=past.chapter_id).first()
        if now is None:
            raise Http404("This chapter is not in the current version.")
        return HttpResponsePermanentRedirect(reverse("public:chapter_history", args=[now.slug]))
    snapshots = list(
        EditionChapter.objects.filter(chapter_id=found.chapter_id)
        .select_related("edition")
        .order_by("edition__published_at", "edition__pk")
    )
    sections = EditionSection.objects.filter(edition_chapter__chapter_id=found.chapter_id).order_by(
        "order"
    )
    states: dict[int, ChapterState] = {}
    texts: dict[int, dict[int, str]] = {}  # snapshot -> section identity -> plain text
    for snapshot in snapshots:
        states[snapshot.pk] = ChapterState(
            snapshot.chapter_id, snapshot.kind, snapshot.slug, snapshot.title, 0, snapshot.intro
        )
        texts[snapshot.pk] = {}
    for row in sections:
        states[row.edition_chapter_id].sections.append(
            SectionState(row.section_id, row.slug, row.heading, row.order, row.body)
        )
        texts[row.edition_chapter_id][row.section_id] = row.text
    steps = []
    for before, after in zip(snapshots, snapshots[1:], strict=False):
        old_state, new_state = states[before.pk], states[after.pk]
        (change,) = compare({old_state.id: old_state}, {new_state.id: new_state})
        old_texts, new_texts = texts[before.pk], texts[after.pk]
        for section in change.sections:
            if section.text_changed or section.is_added or section.is_removed:
                section.diff = word_diff(
                    old_texts.get(section.current.id, ""), new_texts.get(section.current.id, "")
                )
        steps.append({"old": before.edition, "new": after.edition, "change": change})
    steps.reverse()
    context = {
        "edition": current,
        "chapter": found,
        "first": snapshots[0].edition,
        "steps": steps,
    }
    return render(request, "public/chapter_history.html", context)


# The search page around its title and its form with the results is the same for every
# search in a database state: it is rendered once, with slots for those two and for the
# return address of the language links, and only they are rendered per request.
SEARCH_TEMPLATE = "public/search.html"
TITLE_SLOT = mark_safe("<!--innspill:search-title-->")
MAIN_SLOT = mark_safe("<!--innspill:search-main-->")
NEXT_SLOT = "innspill-search-next-slot"


def _search_frame(request: HttpRequest, edition: Edition | None) -> str:
    frame = cached_part(request, "search-frame")
    if frame is None:
        context = {
            "edition": edition,
            "title_slot": TITLE_SLOT,
            "main_slot": MAIN_SLOT,
            "language_next": NEXT_SLOT,
        }
        frame = render_to_string(SEARCH_TEMPLATE, context, request)
        store_part(request, "search-frame", frame)
    return frame


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search the current version of the guide and the published comments."""
    query = " ".join(CONTROL_CHARACTERS.sub(" ", request.GET.get("q", "")).split())
    edition = current_edition(request)
    context: dict[str, Any] = {"edition": edition, "query": query, "page": None}
    if len(query) > MAX_QUERY:
        context["error"] = _("The search is too long: use at most %(n)s characters.") % {
            "n": MAX_QUERY
        }
        return render(request, SEARCH_TEMPLATE, context, status=400)
    if query and edition is not None:
        results = Search(query, edition, request)
        # Paginator needs only count() and slices; the stubs' protocol asks for iteration.
        pages: Paginator[Hit] = Paginator(SearchPage(results), 10)  # type: ignore[arg-type]
        context["page"] = pages.get_page(request.GET.get("side"))
        context["search_query"] = urlencode({"q": query})
    # Our own slot first, then the parts that hold what the visitor wrote (escaped, so
    # they cannot hold a slot).
    page = (
        _search_frame(request, edition)
        .replace(NEXT_SLOT, urlencode_filter(request.get_full_path()))
        .replace(TITLE_SLOT, render_to_string(f"{SEARCH_TEMPLATE}#title", context, request), 1)
        .replace(MAIN_SLOT, render_to_string(f"{SEARCH_TEMPLATE}#main", context, request), 1)
    )
    return HttpResponse(page)


@require_safe
def whole_guide(request: HttpRequest) -> HttpResponse:
    """The whole current version on one page: for printing or saving as PDF."""
    edition = current_edition_or_404()
    # Two queries; each chapter knows its edition and each section its chapter.
    sections = Prefetch(
        "sections", queryset=EditionSection.objects.order_by("order"), to_attr="all_sections"
    )
    chapters = list(edition.chapters.order_by("kind", "order").prefetch_related(sections))
    return render(request, "public/whole_guide.html", guide_context(edition, chapters))


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /sok/",
        "Disallow: /kommentarer/kvittering/",
        "Disallow: /markdownx/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
