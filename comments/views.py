"""Public commenting: the section page with its form, receipts, lists, replies, reports."""

from __future__ import annotations

from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from comments import ratelimit
from comments.client import client_hash
from comments.forms import CommentForm
from comments.models import AnchorState, Comment, Outcome
from comments.services import comment_report, comment_submit
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


def _public_comments():
    """Published comments with what their cards show, replies included: three queries
    at most whatever the number of comments (comments, count, replies)."""
    replies = Comment.objects.published().order_by("created_at", "pk")
    return (
        Comment.objects.published()
        .top_level()
        .select_related(
            "edition_section__edition", "edition_section__edition_chapter", "anchor_edition"
        )
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="public_replies"))
        .order_by("created_at", "pk")
    )


def _page(request: HttpRequest, queryset):
    paginator = Paginator(queryset, PER_PAGE)
    return paginator.get_page(request.GET.get("side"))


def receipt_url(comment: Comment) -> str:
    token = signing.dumps(comment.pk, salt=RECEIPT_SALT)
    return reverse("comments:receipt", args=[token])


def _refuse_outside_period(request, template, context, edition: Edition) -> HttpResponse:
    context["period_refused"] = True
    return render(request, template, context, status=403)


def _too_many(request, template, context) -> HttpResponse:
    context["form"].add_error(
        None,
        _(
            "You have sent many comments in a short time. Wait a few minutes and send "
            "again: what you wrote is kept below."
        ),
    )
    return render(request, template, context, status=429)


@require_http_methods(["GET", "HEAD", "POST"])
def section_page(request: HttpRequest, chapter: str, section: str, kind: str) -> HttpResponse:
    """One section with its comments and a comment form: the path without JavaScript."""
    edition = current_edition_or_404()
    chapters = edition_chapters(edition)
    found = next((c for c in chapters if c.slug == chapter and c.kind == kind), None)
    section_row = found.sections.filter(slug=section).first() if found else None
    if section_row is None:
        return old_section_address(request, edition, chapter, section)

    text = html_text(section_row.body_html)
    is_open = edition.comment_period_state() == "open"
    form = CommentForm(request.POST or None, section_text=text)
    comments = _page(request, _public_comments().filter(section_id=section_row.section_id))
    marks = Comment.objects.published().filter(
        section_id=section_row.section_id,
        anchor_edition=edition,
        anchor_state__in=[AnchorState.EXACT, AnchorState.CHANGED],
    )
    ranges = [
        (start, end, "quote" if state == AnchorState.EXACT else "quote quote--changed")
        for start, end, state in marks.values_list("anchor_start", "anchor_end", "anchor_state")
    ]
    context = guide_context(
        edition,
        chapters,
        chapter=found,
        section=section_row,
        section_html=highlight(section_row.body_html, ranges),
        form=form,
        comments_page=comments,
        is_open=is_open,
    )
    template = "comments/section_detail.html"
    if request.method == "POST":
        if not is_open:
            return _refuse_outside_period(request, template, context, edition)
        if not form.is_valid():
            return render(request, template, context, status=400)
        if not ratelimit.allow(client_hash(request)):
            return _too_many(request, template, context)
        comment = comment_submit(
            edition_section=section_row,
            language=get_language() or "nb",
            client_hash=client_hash(request),
            **form.cleaned_data,
        )
        return HttpResponseRedirect(receipt_url(comment))
    return render(request, template, context)


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404("No such receipt.") from None
    comment = get_object_or_404(
        Comment.objects.select_related("edition_section__edition_chapter", "parent"), pk=pk
    )
    response = render(request, "comments/receipt.html", {"comment": comment})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
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
    context = {
        "edition": edition,
        "chapters": chapters,
        "chosen_chapter": chosen,
        "chosen_outcome": outcome if outcome in Outcome.values else "",
        "outcomes": Outcome.choices,
        "comments_page": _page(request, comments),
        "filtered": bool(chosen or outcome in Outcome.values),
        "filter_query": urlencode(
            {k: v for k, v in (("kapittel", chapter_slug), ("utfall", outcome)) if v}
        ),
        "unknown_filter": bool(chapter_slug and chosen is None),
    }
    return render(request, "comments/comment_list.html", context)


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
    is_open = bool(edition) and edition.comment_period_state() == "open"
    can_reply = not comment.is_reply
    form = CommentForm(request.POST or None, reply=True) if can_reply else None
    context = {"comment": comment, "edition": edition, "form": form, "is_open": is_open}
    template = "comments/comment_detail.html"
    if request.method == "POST":
        if not can_reply:
            raise Http404("Replies go to the comment, not to another reply.")
        if not is_open:
            return _refuse_outside_period(request, template, context, edition)
        if not form.is_valid():
            return render(request, template, context, status=400)
        if not ratelimit.allow(client_hash(request)):
            return _too_many(request, template, context)
        current_section = (
            EditionSection.objects.filter(edition=edition, section_id=comment.section_id).first()
            or comment.edition_section
        )
        reply = comment_submit(
            edition_section=current_section,
            parent=comment,
            language=get_language() or "nb",
            client_hash=client_hash(request),
            **form.cleaned_data,
        )
        return HttpResponseRedirect(receipt_url(reply))
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then record a report. Three reports from different clients hide a comment
    until a moderator has looked at it."""
    comment = _public_comment_or_404(pk)
    if request.method == "POST":
        comment_report(comment=comment, client_hash=client_hash(request))
        return render(request, "comments/report_done.html", {"comment": comment})
    return render(request, "comments/report_confirm.html", {"comment": comment})


def section(request: HttpRequest, chapter: str, section: str) -> HttpResponse:
    return section_page(request, chapter, section, ChapterKind.CHAPTER)


def case_section(request: HttpRequest, case: str, section: str) -> HttpResponse:
    return section_page(request, case, section, ChapterKind.CASE)
