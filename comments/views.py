"""Public commenting: the section page with its form, receipts, lists, replies, reports."""

from __future__ import annotations

import re

from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from comments.client import client_hash, client_hashes
from comments.exports import export_response
from comments.forms import CommentForm, shown_token
from comments.models import AnchorState, Comment, Outcome, Status
from comments.ratelimit import RateLimited
from comments.report_forms import ReportForm
from comments.selectors import report_chapters, report_round, report_totals, withheld_by_reason
from comments.services import comment_report, comment_submit
from guide.cache import cached_page, cached_part, store_part
from guide.markdown import highlight, html_text
from guide.models import ChapterKind, Edition, EditionSection
from guide.pages import (
    current_edition_or_404,
    edition_chapters,
    guide_context,
    old_section_address,
)

PER_PAGE = 20
RECEIPT_SALT = "comments.receipt"
RECEIPT_MAX_AGE = 7 * 24 * 3600
# "Your comment waits for review" on the section page: a signed, short-lived parameter
# on the receipt's link back, so nothing about the sender is stored anywhere.
SENT_SALT = "comments.sent"
SENT_MAX_AGE = 24 * 3600


def _public_comments():
    """Published comments with what their cards show, replies included: three queries
    at most whatever the number of comments (comments, count, replies)."""
    # Top-level comments have no parent to check, and replies are fetched only for
    # comments already public: visible() says all that is needed, without a join.
    # No ORDER BY here: with one, SQLite walks the status index for the sort instead of
    # looking the replies up by parent. _page() puts them in order.
    replies = Comment.objects.visible().order_by()
    return (
        Comment.objects.visible()
        .top_level()
        .select_related(
            "edition_section__edition",
            "edition_section__edition_chapter",
            "addressed_in_edition",
        )
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="public_replies"))
        .order_by("created_at", "pk")
    )


def _page(request: HttpRequest, queryset):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("side"))
    page.object_list = list(page.object_list)
    for comment in page.object_list:
        comment.public_replies.sort(key=lambda reply: (reply.created_at, reply.pk))
    return page


def receipt_url(comment: Comment) -> str:
    token = signing.dumps(comment.pk, salt=RECEIPT_SALT)
    return reverse("comments:receipt", args=[token])


def sent_url(comment: Comment) -> str:
    """The section page, telling the sender their comment waits for review."""
    token = signing.dumps(comment.pk, salt=SENT_SALT)
    query = urlencode({"sendt": token})
    return f"{comment.edition_section.current_url()}?{query}#kommentarer"


def _sent_comment(request: HttpRequest, section_id: int) -> Comment | None:
    """The sender's own comment on this section, while it still waits for review."""
    token = request.GET.get("sendt")
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Comment.objects.pending()
        .top_level()
        .filter(pk=pk, section_id=section_id)
        .only("pk", "created_at")
        .first()
    )


def _refuse_outside_period(request, template, context, edition: Edition | None) -> HttpResponse:
    context["period_refused"] = True
    return render(request, template, context, status=403)


def _client(request: HttpRequest) -> dict:
    """Who sent a comment, as the rate limits count them."""
    today, *earlier = client_hashes(request)
    return {"client_hash": today, "earlier_hashes": earlier}


TOO_MANY = gettext_lazy(
    "You have sent many comments in a short time. Wait a few minutes and send "
    "again: what you wrote is kept below."
)


def _too_many(request, template, context) -> HttpResponse:
    context["form"].add_error(None, TOO_MANY)
    return render(request, template, context, status=429)


# Where the comment form goes in a section page kept in the cache: everything else on
# the page is the same for every visitor and is rendered once per database state.
FORM_SLOT = mark_safe("<!--innspill:comment-form-->")
SECTION_TEMPLATE = "comments/section_detail.html"


def _section_rows(edition: Edition, chapter: str, section: str, kind: str):
    """The chapter and section of `edition` at this address, or (chapter, None)."""
    chapters = edition_chapters(edition)
    found = next((c for c in chapters if c.slug == chapter and c.kind == kind), None)
    section_row = found.sections.filter(slug=section).first() if found else None
    return chapters, found, section_row


def _section_context(request, edition, chapters, found, section_row, form, **extra) -> dict:
    """What the section page shows: its text with the quoted passages marked, and a page
    of its published comments with their replies."""
    comments = _page(request, _public_comments().filter(section_id=section_row.section_id))
    marks = (
        Comment.objects.visible()
        .top_level()
        .filter(
            section_id=section_row.section_id,
            anchor_edition=edition,
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
    sent = _sent_comment(request, section_row.section_id)
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
    edition = current_edition_or_404()
    chapters, found, section_row = _section_rows(edition, chapter, section, kind)
    if section_row is None:
        raise Http404("No such section.")
    form = CommentForm(request.POST, section_text=html_text(section_row.body_html))

    def page(status: int, **extra) -> HttpResponse:
        context = _section_context(request, edition, chapters, found, section_row, form, **extra)
        return render(request, SECTION_TEMPLATE, context, status=status)

    if not edition.is_open_for_comments():
        return page(403, period_refused=True)
    if not form.is_valid():
        return page(400)
    try:
        comment = comment_submit(
            edition_section=section_row,
            language=get_language() or "nb",
            **_client(request),
            **form.cleaned_data,
        )
    except RateLimited:
        form.add_error(None, TOO_MANY)
        return page(429)
    return HttpResponseRedirect(receipt_url(comment))


@require_safe
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("No such receipt.") from None
    comment = get_object_or_404(
        Comment.objects.select_related("edition_section__edition_chapter", "parent"), pk=pk
    )
    back = None if comment.is_reply else sent_url(comment)
    response = render(request, "comments/receipt.html", {"comment": comment, "back_url": back})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@cached_page(params=("kapittel", "utfall", "side"))
def comment_list(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    chapters = edition_chapters(edition) if edition else []
    comments = _public_comments()
    chapter_slug = request.GET.get("kapittel", "")
    outcome = request.GET.get("utfall", "")
    chosen = next((c for c in chapters if c.slug == chapter_slug), None)
    if chosen is not None:
        comments = comments.filter(edition_section__edition_chapter__chapter_id=chosen.chapter_id)
    if outcome in Outcome.values:
        comments = comments.filter(outcome=outcome)
    comments_page = _page(request, comments)
    asked_page = request.GET.get("side")
    if asked_page is not None and (asked_page != str(comments_page.number) or asked_page == "1"):
        # Only the canonical form of a page is served (and cached): no page 1, 01 or 99.
        query = {"kapittel": chapter_slug, "utfall": outcome}
        if comments_page.number > 1:
            query["side"] = comments_page.number
        kept = urlencode(sorted((k, v) for k, v in query.items() if v))
        return HttpResponseRedirect(request.path + ("?" + kept if kept else ""))
    unknown = bool(chapter_slug and chosen is None) or bool(
        outcome and outcome not in Outcome.values
    )
    context = {
        "edition": edition,
        "chapters": chapters,
        "chosen_chapter": chosen,
        "chosen_outcome": outcome if outcome in Outcome.values else "",
        "outcomes": Outcome.choices,
        "comments_page": comments_page,
        "filtered": bool(chosen or outcome in Outcome.values),
        "filter_query": urlencode(
            {k: v for k, v in (("kapittel", chapter_slug), ("utfall", outcome)) if v}
        ),
        "unknown_filter": unknown,
    }
    # An unknown filter value is answered, with a note, but never cached: 404.
    status = 404 if unknown else 200
    return render(request, "comments/comment_list.html", context, status=status)


def _public_comment_or_404(pk: int) -> Comment:
    comment = (
        _public_comments().filter(pk=pk).first()
        or Comment.objects.published()
        .filter(pk=pk, parent__isnull=False)
        .select_related("edition_section__edition", "edition_section__edition_chapter")
        .first()
    )
    if comment is None:
        raise Http404("No such published comment.")
    return comment


@require_http_methods(["GET", "HEAD", "POST"])
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's permalink, with its replies and a reply form."""
    comment = _public_comment_or_404(pk)
    edition = Edition.objects.current()
    is_open = edition is not None and edition.is_open_for_comments()
    can_reply = not comment.is_reply
    form = CommentForm(request.POST or None, reply=True) if can_reply else None
    context = {"comment": comment, "edition": edition, "form": form, "is_open": is_open}
    template = "comments/comment_detail.html"
    if request.method == "POST":
        if not can_reply:
            raise Http404("Replies go to the comment, not to another reply.")
        assert form is not None  # every comment that can be replied to has a form
        if not is_open:
            return _refuse_outside_period(request, template, context, edition)
        if not form.is_valid():
            return render(request, template, context, status=400)
        current_section = (
            EditionSection.objects.filter(edition=edition, section_id=comment.section_id).first()
            or comment.edition_section
        )
        try:
            reply = comment_submit(
                edition_section=current_section,
                parent=comment,
                language=get_language() or "nb",
                **_client(request),
                **form.cleaned_data,
            )
        except RateLimited:
            return _too_many(request, template, context)
        return HttpResponseRedirect(receipt_url(reply))
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask why, then record a report. Three reports from different clients hide a
    comment until a moderator has looked at it."""
    comment = _public_comment_or_404(pk)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            context = {"comment": comment, "form": form}
            return render(request, "comments/report_confirm.html", context, status=400)
        comment_report(
            comment=comment,
            client_hash=client_hash(request),
            reason=form.cleaned_data["reason"],
        )
        return render(request, "comments/report_done.html", {"comment": comment})
    return render(request, "comments/report_confirm.html", {"comment": comment, "form": form})


def section(request: HttpRequest, chapter: str, section: str) -> HttpResponse:
    return section_page(request, chapter, section, ChapterKind.CHAPTER)


def case_section(request: HttpRequest, case: str, section: str) -> HttpResponse:
    return section_page(request, case, section, ChapterKind.CASE)


@require_safe
def consultation(request: HttpRequest) -> HttpResponse:
    """What the consultation is for, its dates, and how to take part."""
    edition = Edition.objects.current()
    counts = Comment.objects.aggregate(
        received=Count("pk"),
        published=Count("pk", filter=Q(status=Status.PUBLISHED, hidden_by_reports=False)),
        answered=Count(
            "pk",
            filter=Q(status=Status.PUBLISHED, hidden_by_reports=False) & ~Q(outcome=Outcome.OPEN),
        ),
    )
    context = {"edition": edition, "counts": counts}
    return render(request, "comments/consultation.html", context)


@require_safe
def consultation_report(request: HttpRequest) -> HttpResponse:
    """One round's comments, chapter by chapter and section by section, with what was
    decided and done. Opens on the newest round that has comments; a fixed number of
    queries whatever the number of comments."""
    editions = list(Edition.objects.newest_first())
    current = editions[0] if editions else None
    chosen = report_round(editions, request.GET.get("versjon"))
    context: dict[str, object] = {
        "edition": current,
        "editions": editions,
        "chosen": chosen,
        "chapters": [],
    }
    if chosen is None:
        return render(request, "comments/report.html", context)
    chapters = report_chapters(chosen)
    context.update(
        chapters=chapters,
        totals=report_totals(chapters),
        withheld=withheld_by_reason(chosen),
    )
    return render(request, "comments/report.html", context)


@require_safe
def open_data(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """All published comments as open data: no e-mail addresses, no client hashes."""
    if fmt not in ("csv", "json"):
        raise Http404("Open data comes as .csv or .json.")
    return export_response(Comment.objects.published(), fmt, staff=False)
