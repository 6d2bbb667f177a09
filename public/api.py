"""A read-only JSON API for other agencies: editions, their chapters and sections, and
published comments.

What it promises (README: "API for other agencies"):
- Ids are the identity of a chapter or section and never change across editions.
- The answer for an edition (`/editions/<number>/...`) never changes once the edition is
  published: it is built only from the edition's frozen snapshot rows and its fixed
  fields. Anything that does change (which edition is current, the comment period an
  editor may extend, comment counts) lives in the lists, which are cached briefly.
- Nothing private: comments go through `Comment.objects.published()` and the open-data
  row from `comments.exports`, so the API and the open-data files always agree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from comments.exports import PUBLIC_FIELDS, export_queryset, row
from comments.models import Comment, Outcome
from core.cache import cached_page, kept_per_state, rendered_once
from guide.models import (
    EDITION_NUMBER_PATTERN,
    ChapterKind,
    Edition,
    EditionChapter,
    EditionSection,
)

VERSION = "1"
# Bump when the shape of an edition's answer changes, so cached copies and ETags from
# before the change are not taken for the new shape.
EDITION_FORMAT = 1

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Lists change whenever a comment is decided on: a copy must be checked (a cheap 304)
# before it is used, so a withheld comment leaves every client's copy at once.
LIST_MAX_AGE = 0
EDITION_MAX_AGE = 24 * 60 * 60

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_EDITION_NUMBER = re.compile(EDITION_NUMBER_PATTERN)

View = Callable[..., HttpResponse]


class ApiError(Exception):
    """An answer other than 200, as JSON: {"error": message[, "parameter": name]}."""

    def __init__(self, status: int, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


class NotFound(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class BadParameter(ApiError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(400, message, parameter=parameter)


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(error: ApiError) -> JsonResponse:
    data: dict[str, Any] = {"error": error.message}
    if error.parameter:
        data["parameter"] = error.parameter
    return _json(data, status=error.status)


def api(*, max_age: int) -> Callable[[View], View]:
    """Every API answer: JSON errors (404, 400, 405), CORS for any origin, and public
    caching of successful answers (304s included: they must carry the same headers)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response = view(request, *args, **kwargs)
            except ApiError as error:
                response = _error(error)
            if response.status_code == 405:
                allow = response["Allow"]
                response = _error(ApiError(405, f"Only {allow} are allowed here."))
                response["Allow"] = allow
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=max_age)
            response["Access-Control-Allow-Origin"] = "*"
            return response

        # No csrf_exempt here, deliberately (a hardening rule). A POST never reaches
        # these views: ReadOnlyApiMiddleware answers it with 405 before the CSRF check.
        wrapped.read_only_api = True  # type: ignore[attr-defined]
        return wrapped

    return decorator


SAFE_METHODS = ("GET", "HEAD")


def method_not_allowed() -> JsonResponse:
    allow = ", ".join(SAFE_METHODS)
    response = _error(ApiError(405, f"Only {allow} are allowed here."))
    response["Allow"] = allow
    response["Access-Control-Allow-Origin"] = "*"
    return response


class ReadOnlyApiMiddleware:
    """Answers POST, PUT, PATCH and DELETE to the read-only API with its JSON 405, as
    the README promises, instead of the CSRF middleware's HTML 403. Placed before
    CsrfViewMiddleware: its process_view runs first, once the URL has resolved to an API
    view. No view is exempted from CSRF: an unsafe request to the API never reaches a
    view at all, so there is nothing for a forged request to do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if getattr(view, "read_only_api", False) and request.method not in SAFE_METHODS:
            return method_not_allowed()
        return None


# Helpers -----------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _iso(value: datetime | None) -> str | None:
    # The same form as the open-data rows: local time, to the second, with its offset.
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _memo(request: HttpRequest, key: tuple, load: Callable[[], Any]) -> Any:
    """Look something up once per request: the ETag function and the view both need it."""
    memo = request.__dict__.setdefault("_api_memo", {})
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _get_edition(request: HttpRequest, number: str) -> Edition:
    def load() -> Edition:
        edition = Edition.objects.filter(number=number).first()
        if edition is None:
            raise NotFound(f"There is no edition {number}.")
        return edition

    return _memo(request, ("edition", number), load)


def _get_edition_chapter(request: HttpRequest, number: str, slug: str) -> EditionChapter:
    def load() -> EditionChapter:
        chapter = (
            EditionChapter.objects.filter(edition__number=number, slug=slug)
            .select_related("edition")
            .first()
        )
        if chapter is None:
            _get_edition(request, number)  # which of the two is missing
            raise NotFound(f"Edition {number} has no chapter “{slug}”.")
        return chapter

    return _memo(request, ("chapter", number, slug), load)


def _edition_etag(request: HttpRequest, number: str, slug: str | None = None) -> str:
    """Made from the edition's id, as an edition's answers never change. The format
    revision and the site address go in too: the answer depends on both."""
    if slug is None:
        edition = _get_edition(request, number)
    else:
        edition = _get_edition_chapter(request, number, slug).edition
    salt = hashlib.blake2s(
        f"{EDITION_FORMAT} {settings.SITE_URL}".encode(), digest_size=4
    ).hexdigest()
    return f'"edition-{edition.pk}-{salt}"'


def _whole_number(request: HttpRequest, name: str, default: int, highest: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if _WHOLE_NUMBER.fullmatch(raw) and 1 <= int(raw) <= highest:
        return int(raw)
    raise BadParameter(name, f"{name} must be a whole number from 1 to {highest}")


def _paginate(
    request: HttpRequest, queryset: QuerySet, *, count: int | None = None
) -> tuple[dict[str, Any], list]:
    """The page the request asks for (`page`, `page_size`) and the envelope around it.
    Two queries: the count (unless given) and the page (none when there is nothing)."""
    page_size = _whole_number(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    paginator = Paginator(queryset, page_size)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not counted again
    number = _whole_number(request, "page", 1, paginator.num_pages)
    page = paginator.page(number)
    objects = list(page.object_list) if paginator.count else []

    def link(to: int) -> str:
        params = request.GET.copy()  # keeps the filters and page_size
        params["page"] = str(to)
        return _absolute(f"{request.path}?{params.urlencode()}")

    envelope = {
        "count": paginator.count,
        "page": number,
        "page_size": page_size,
        "next": link(number + 1) if page.has_next() else None,
        "previous": link(number - 1) if page.has_previous() else None,
    }
    return envelope, objects


# Payloads ----------------------------------------------------------------------------


def _edition_links(number: str) -> dict[str, str]:
    return {
        "url": _absolute(reverse("public:edition", args=[number])),
        "api_url": _absolute(reverse("api:edition", args=[number])),
    }


def _section_data(section: EditionSection, chapter_url: str) -> dict[str, Any]:
    return {
        "id": section.section_id,
        "slug": section.slug,
        "heading": section.heading,
        "order": section.order,
        "body_html": section.body_html,
        "text": section.text,
        "url": f"{chapter_url}#{section.slug}",
    }


def _chapter_data(
    number: str, chapter: EditionChapter, sections: list[EditionSection]
) -> dict[str, Any]:
    url = _absolute(reverse("public:edition_chapter", args=[number, chapter.slug]))
    return {
        "id": chapter.chapter_id,
        "slug": chapter.slug,
        "title": chapter.title,
        "kind": chapter.kind,
        "order": chapter.order,
        "organisation": chapter.organisation,
        "channels": chapter.channel_list,
        "intro_html": chapter.intro_html,
        "url": url,
        "api_url": _absolute(reverse("api:edition_chapter", args=[number, chapter.slug])),
        "sections": [_section_data(section, url) for section in sections],
    }


def _edition_data(edition: Edition) -> dict[str, Any]:
    """Only what is fixed when an edition is published. Not the comment period: editors
    may still move its dates, so it is in the editions list."""
    return {
        "number": edition.number,
        "title": edition.title,
        "summary": edition.summary,
        "published_at": _iso(edition.published_at),
        **_edition_links(edition.number),
    }


# Views -------------------------------------------------------------------------------


@api(max_age=LIST_MAX_AGE)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _json(
        {
            "name": "Innspill API",
            "version": VERSION,
            "description": (
                "Read-only public data: published editions of the guide, their chapters "
                "and sections, and published comments."
            ),
            "links": {
                "editions": _absolute(reverse("api:editions")),
                "edition": _absolute(reverse("api:editions")) + "{number}/",
                "edition_chapter": _absolute(reverse("api:editions")) + "{number}/chapters/{slug}/",
                "comments": _absolute(reverse("api:comments")),
                # Published comments as W3C Web Annotations (JSON-LD).
                "annotations": _absolute(reverse("api:annotations")),
                "annotation": _absolute(reverse("api:annotations")) + "{id}/",
            },
            # The page that explains all this to people (bokmål, nynorsk, English).
            "docs": _absolute(reverse("public:api_docs")),
        }
    )


@api(max_age=LIST_MAX_AGE)
@require_safe
def editions(request: HttpRequest) -> HttpResponse:
    envelope, page = _paginate(request, Edition.objects.newest_first())
    # Newest first, so the current edition is the very first row of page 1.
    first_page = envelope["page"] == 1
    results = [
        {
            **_edition_data(edition),
            "comment_opens": _iso(edition.comment_opens),
            "comment_closes": _iso(edition.comment_closes),
            "is_current": first_page and position == 0,
        }
        for position, edition in enumerate(page)
    ]
    return _json({**envelope, "results": results})


@api(max_age=EDITION_MAX_AGE)
@require_safe
@condition(etag_func=_edition_etag)
def edition(request: HttpRequest, number: str) -> HttpResponse:
    chosen = _get_edition(request, number)
    chapters = list(EditionChapter.objects.filter(edition=chosen).order_by("kind", "order", "pk"))
    by_chapter: dict[int, list[EditionSection]] = {c.pk: [] for c in chapters}
    for section in EditionSection.objects.filter(edition=chosen).order_by("order", "pk"):
        by_chapter[section.edition_chapter_id].append(section)
    data = [_chapter_data(number, c, by_chapter[c.pk]) for c in chapters]
    return _json(
        {
            **_edition_data(chosen),
            "chapters": [c for c in data if c["kind"] == ChapterKind.CHAPTER],
            "case_studies": [c for c in data if c["kind"] == ChapterKind.CASE],
        }
    )


@api(max_age=EDITION_MAX_AGE)
@require_safe
@condition(etag_func=_edition_etag)
def edition_chapter(request: HttpRequest, number: str, slug: str) -> HttpResponse:
    chapter = _get_edition_chapter(request, number, slug)
    sections = list(chapter.sections.order_by("order", "pk"))
    return _json(
        {
            "edition": _edition_data(chapter.edition),
            **_chapter_data(number, chapter, sections),
        }
    )


def _comment_filters(request: HttpRequest) -> dict[str, object]:
    filters: dict[str, object] = {}
    if (number := request.GET.get("edition")) is not None:
        if not _EDITION_NUMBER.fullmatch(number):
            raise BadParameter("edition", "edition must be an edition number, such as 0.9")
        filters["edition_section__edition__number"] = number
    for name, lookup in [
        ("chapter", "edition_section__edition_chapter__chapter_id"),
        ("section", "section_id"),
    ]:
        if (value := request.GET.get(name)) is not None:
            if not _WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
                raise BadParameter(name, f"{name} must be a {name} id: a whole number from 1")
            filters[lookup] = int(value)
    if (outcome := request.GET.get("outcome")) is not None:
        if outcome not in Outcome.values:
            raise BadParameter("outcome", f"outcome must be one of {', '.join(Outcome.values)}")
        filters["outcome"] = outcome
    return filters


COMMENT_FIELDS = [*PUBLIC_FIELDS, "section_id", "chapter_id"]


def _comment_data(comment: Comment) -> dict[str, object]:
    # The open-data row is the whole public record; ids let a comment be tied to the
    # section and chapter whatever their headings are in later editions.
    return {
        **row(comment, staff=False),
        "section_id": comment.section_id,
        "chapter_id": comment.edition_section.edition_chapter.chapter_id,
    }


# Keyset pagination ---------------------------------------------------------------------
#
# The comment list is read in pages of rows after (or before) a position in its order,
# oldest first by (created_at, id): each page costs the same whatever its depth, where
# `?page=` must skip every row before it. A position travels as an opaque, signed
# cursor, so a client cannot make one up, and a cursor made before a deployment that
# changes the order or the key simply gets a clear 400.

CURSOR_SALT = "api.comments.cursor"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Position:
    created_at: datetime
    pk: int

    @classmethod
    def of(cls, comment: Comment) -> Position:
        return cls(comment.created_at, comment.pk)

    def cursor(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return signing.Signer(salt=CURSOR_SALT).sign_object([micros, self.pk])

    @classmethod
    def from_cursor(cls, parameter: str, cursor: str) -> Position:
        try:
            micros, pk = signing.Signer(salt=CURSOR_SALT).unsign_object(cursor)
            if not (isinstance(micros, int) and isinstance(pk, int)):
                raise ValueError
            return cls(_EPOCH + timedelta(microseconds=micros), pk)
        except (signing.BadSignature, ValueError, TypeError, OverflowError):
            raise BadParameter(
                parameter,
                f"{parameter} must be a cursor from this API's next or previous link; this "
                "one is not valid (any more). Start again from the first page.",
            ) from None

    def after(self) -> Q:
        return Q(created_at__gt=self.created_at) | Q(created_at=self.created_at, pk__gt=self.pk)

    def before(self) -> Q:
        return Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)


def _count(request: HttpRequest, queryset: QuerySet, filters: dict[str, object]) -> int:
    """How many rows the list has: counted once per database state and filters, not on
    every request (COUNT(*) over all published comments grows with them)."""
    name = "api-count:" + repr(sorted(filters.items()))
    return kept_per_state(request, name, queryset.count)


def _keyset_paginate(
    request: HttpRequest, queryset: QuerySet, filters: dict[str, object]
) -> tuple[dict[str, Any], list]:
    """The page the request asks for, by cursor (`after`, `before`) or from the start,
    and its envelope: `count`, `page` (1 on the first page, null after a cursor),
    `page_size`, and `next`/`previous` links with cursors. One query for the page (and,
    once per database state, one for the count). `page=` still works as it always has
    (_paginate): the same envelope with page numbers in the links."""
    page_size = _whole_number(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    after, before = request.GET.get("after"), request.GET.get("before")
    if "page" in request.GET and (after is not None or before is not None):
        raise BadParameter("page", "page cannot be combined with after or before")
    if after is not None and before is not None:
        raise BadParameter("before", "before cannot be combined with after")
    count = _count(request, queryset, filters)
    if "page" in request.GET:
        return _paginate(request, queryset, count=count)

    forwards = before is None
    if after is not None:
        position = Position.from_cursor("after", after)
        queryset = queryset.filter(position.after(), created_at__gte=position.created_at)
    elif before is not None:
        position = Position.from_cursor("before", before)
        queryset = queryset.filter(position.before(), created_at__lte=position.created_at)
        queryset = queryset.reverse()
    rows = list(queryset[: page_size + 1]) if count else []
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not forwards:
        rows.reverse()

    def link(parameter: str, to: Position) -> str:
        params = request.GET.copy()  # keeps the filters and page_size
        for name in ("page", "after", "before"):
            params.pop(name, None)
        params[parameter] = to.cursor()
        return _absolute(f"{request.path}?{params.urlencode()}")

    next_link = previous_link = None
    if forwards:
        if more:
            next_link = link("after", Position.of(rows[-1]))
        if after is not None:
            # Rows before this page: those before its first row, or, on an empty page
            # (the rows after the cursor were withheld), the cursor's row and before it.
            edge = Position.of(rows[0]) if rows else Position(position.created_at, position.pk + 1)
            previous_link = link("before", edge)
    else:
        if more:
            previous_link = link("before", Position.of(rows[0]))
        edge = Position.of(rows[-1]) if rows else Position(position.created_at, position.pk - 1)
        next_link = link("after", edge)
    envelope = {
        "count": count,
        "page": 1 if after is None and before is None else None,
        "page_size": page_size,
        "next": next_link,
        "previous": previous_link,
    }
    return envelope, rows


COMMENT_LIST_PARAMS = (
    *("edition", "chapter", "section", "outcome"),
    *("page", "page_size", "after", "before"),
)


# The page cache (keyed by the database-held content versions) outside the API's own
# wrapper, so a cached answer keeps its CORS header and JSON errors are never cached.
# With the page cache off, the JSON of a page is still built once per database state
# (rendered_once, inside the wrapper, which adds the headers to every answer).
@cached_page(params=COMMENT_LIST_PARAMS, redirect=False)
@api(max_age=LIST_MAX_AGE)
@require_safe
@rendered_once("api-comments", params=COMMENT_LIST_PARAMS, content_type="application/json")
def comments(request: HttpRequest) -> HttpResponse:
    published = export_queryset(Comment.objects.published())  # the open data's joins
    filters = _comment_filters(request)
    envelope, page = _keyset_paginate(request, published.filter(**filters), filters)
    return _json({**envelope, "results": [_comment_data(c) for c in page]})


@api(max_age=LIST_MAX_AGE)
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    raise NotFound(f"There is nothing at this address. See {_absolute(reverse('api:index'))}")
