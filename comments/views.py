"""Public commenting: the section page with its form, receipts, lists, replies, reports."""

from __future__ import annotations

from django.core import signing
from django.db.models import Count, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from comments.exports import export_response
from comments.forms import TOO_MANY, CommentForm
from comments.models import Comment, Outcome, Status
from comments.receipts import RECEIPT_MAX_AGE, RECEIPT_SALT, receipt_url, sent_url
from comments.report_forms import ReportForm
from comments.selectors import comments_page as comments_page_of
from comments.selectors import (
    public_comments,
    report_chapters,
    report_round,
    report_totals,
    withheld_by_reason,
)
from comments.services import comment_report, comment_submit
from core.cache import cached_page, rendered_once
from core.client import client_fields, client_hash
from core.ratelimit import RateLimited
from guide.models import Edition, EditionSection
from guide.selectors import edition_chapters

# The comment list's filters and page: the one canonical query string of each list.
LIST_PARAMS = ("kapittel", "utfall", "side")


def _refuse_outside_period(request, template, context, edition: Edition | None) -> HttpResponse:
    context["period_refused"] = True
    return render(request, template, context, status=403)


def _too_many(request, template, context) -> HttpResponse:
    context["form"].add_error(None, TOO_MANY)
    return render(request, template, context, status=429)


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
@cached_page(params=LIST_PARAMS)
@rendered_once("comments", params=LIST_PARAMS)
def comment_list(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    chapters = edition_chapters(edition) if edition else []
    comments = public_comments()
    chapter_slug = request.GET.get("kapittel", "")
    outcome = request.GET.get("utfall", "")
    chosen = next((c for c in chapters if c.slug == chapter_slug), None)
    if chosen is not None:
        comments = comments.filter(edition_section__edition_chapter__chapter_id=chosen.chapter_id)
    if outcome in Outcome.values:
        comments = comments.filter(outcome=outcome)
    comments_page = comments_page_of(comments, request.GET.get("side"))
    asked_page = request.GET.get("side")
    if asked_page is not None and (asked_page != str(comments_page.number) or asked_page == "1"):
        # Only the canonical form of a page is served (and cached): no page 1, 01 or 99.
        query = {"kapittel": chapter_slug, "utfall": outcome}
        if comments_page.number > 1:
            query["side"] = str(comments_page.number)
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
        public_comments().filter(pk=pk).first()
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
                **client_fields(request),
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
