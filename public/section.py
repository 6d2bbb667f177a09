"""The section page: one section of the guide with its published comments and the
comment form, the path that works without JavaScript. A comment sent from it is
stored by comments.services.comment_submit."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from comments.forms import TOO_MANY, CommentForm, shown_token
from comments.models import AnchorState, Comment
from comments.receipts import receipt_url, sent_comment
from comments.selectors import comments_page, public_comments
from comments.services import comment_submit
from core.cache import cached_part, kept_per_state, store_part
from core.client import client_fields
from core.markdown import highlight, html_text
from core.ratelimit import RateLimited
from guide.models import ChapterKind, Edition
from guide.selectors import current_edition_or_404, current_section, edition_chapters, guide_context
from public.pages import old_section_address

# Where the comment form goes in a section page kept in the cache: everything else on
# the page is the same for every visitor and is rendered once per database state.
FORM_SLOT = mark_safe("<!--innspill:comment-form-->")
SECTION_TEMPLATE = "public/section_detail.html"


def _section_rows(edition: Edition, chapter: str, section: str, kind: str):
    """The chapter and section of `edition` at this address, or (chapter, None)."""
    chapters = edition_chapters(edition)
    found = next((c for c in chapters if c.slug == chapter and c.kind == kind), None)
    section_row = found.sections.filter(slug=section).first() if found else None
    return chapters, found, section_row


def _section_context(request, edition, chapters, found, section_row, form, **extra) -> dict:
    """What the section page shows: its text with the quoted passages marked, and a page
    of its published comments with their replies."""
    comments = comments_page(
        public_comments().filter(section_id=section_row.section_id), request.GET.get("side")
    )
    marks = (
        Comment.objects.visible()
        .top_level()
        .filter(
            section_id=section_row.section_id,
            anchor_edition_id=section_row.text_since_id,
            anchor_state__in=[AnchorState.EXACT, AnchorState.CHANGED],
            anchor_start__isnull=False,
            anchor_end__isnull=False,
        )
    )
    ranges = [
        (start, end, "quote" if state == AnchorState.EXACT else "quote quote--changed")
        for start, end, state in marks.values_list("anchor_start", "anchor_end", "anchor_state")
    ]
    return guide_context(
        edition,
        chapters,
        chapter=found,
        section=section_row,
        section_html=highlight(section_row.body_html, ranges),
        form=form,
        comments_page=comments,
        is_open=edition.is_open_for_comments(),
        **extra,
    )


# The empty form is the same for everyone but for two values: the CSRF token and the
# signed time it was shown. It is rendered once with a stand-in for the first, and both
# are filled in per request, which costs a string replacement, not a form render.
CSRF_SLOT = "innspill-csrf-token-slot"
SHOWN_VALUE = re.compile(r'(name="shown" value=")[^"]*(")')


def _with_form(request: HttpRequest, page: str) -> HttpResponse:
    """The cached page with a fresh comment form (and its CSRF token) in its slot."""
    if FORM_SLOT in page:
        form = cached_part(request, "comment-form")
        if form is None:
            context = {"form": CommentForm(), "csrf_token": CSRF_SLOT}
            form = render_to_string(f"{SECTION_TEMPLATE}#comment-form", context, request)
            store_part(request, "comment-form", form)
        form = form.replace(CSRF_SLOT, get_token(request))
        form = SHOWN_VALUE.sub(lambda m: m.group(1) + shown_token() + m.group(2), form, 1)
        page = page.replace(FORM_SLOT, form, 1)
    return HttpResponse(page)


@require_http_methods(["GET", "HEAD", "POST"])
def section_page(request: HttpRequest, chapter: str, section: str, kind: str) -> HttpResponse:
    """One section with its comments and a comment form: the path without JavaScript."""
    if request.method == "POST":
        return _section_post(request, chapter, section, kind)
    # The page without the form is kept per database state; only the form (with its
    # CSRF token) is rendered per request. Other query strings are rendered in full.
    query = request.GET
    shared = not query or (list(query) == ["side"] and len(query.getlist("side")) == 1)
    part = "section?side=" + query.get("side", "")
    if shared and (page := cached_part(request, part)) is not None:
        return _with_form(request, page)

    edition = current_edition_or_404()
    chapters, found, section_row = _section_rows(edition, chapter, section, kind)
    if section_row is None:
        return old_section_address(request, edition, chapter, section)
    if query.get("fragment") == "form":
        # Just the form, for the chapter page's inline commenting (quote.js).
        if not edition.is_open_for_comments():
            raise Http404("The consultation is not open.")
        return render(request, f"{SECTION_TEMPLATE}#comment-form", {"form": CommentForm()})
    sent = sent_comment(request.GET.get("sendt"), section_row.section_id)
    if not shared or sent is not None:
        context = _section_context(
            request, edition, chapters, found, section_row, CommentForm(), sent=sent
        )
        response = render(request, SECTION_TEMPLATE, context)
        if sent is not None:
            response["Cache-Control"] = "private, no-store"
        return response
    context = _section_context(
        request, edition, chapters, found, section_row, None, form_slot=FORM_SLOT
    )
    page = render_to_string(SECTION_TEMPLATE, context, request)
    if query.get("side", "1") == str(context["comments_page"].number):
        store_part(request, part, page)  # canonical pages only: no variants
    return _with_form(request, page)


def _section_post(request: HttpRequest, chapter: str, section: str, kind: str) -> HttpResponse:
    """A comment sent without JavaScript: stored and redirected to its receipt, with no
    page rendered; the page comes back only to show what went wrong."""
    # The section and its edition, read once per database state (a publish or a change to
    # the round moves the versions); the page around it is read only if the form has to
    # be shown again.
    section_row = kept_per_state(
        request,
        f"current-section:{kind}:{chapter}:{section}",
        lambda: current_section(chapter, section, kind),
    )
    if section_row is None:
        raise Http404("No such section.")
    edition = section_row.edition
    form = CommentForm(request.POST, section_text=html_text(section_row.body_html))

    def page(status: int, **extra) -> HttpResponse:
        current = current_edition_or_404()  # with its last round, for the banner
        chapters, found, _ = _section_rows(current, chapter, section, kind)
        context = _section_context(request, current, chapters, found, section_row, form, **extra)
        return render(request, SECTION_TEMPLATE, context, status=status)

    if not edition.is_open_for_comments():
        return page(403, period_refused=True)
    if not form.is_valid():
        return page(400)
    try:
        comment = comment_submit(
            edition_section=section_row,
            language=get_language() or "nb",
            **client_fields(request),
            **form.cleaned_data,
        )
    except RateLimited:
        form.add_error(None, TOO_MANY)
        return page(429)
    return HttpResponseRedirect(receipt_url(comment))


def section(request: HttpRequest, chapter: str, section: str) -> HttpResponse:
    return section_page(request, chapter, section, ChapterKind.CHAPTER)


def case_section(request: HttpRequest, case: str, section: str) -> HttpResponse:
    return section_page(request, case, section, ChapterKind.CASE)
