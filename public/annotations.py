"""Published comments as W3C Web Annotations (JSON-LD), for standard annotation tools.

Each top-level published comment is one Annotation: its text is a TextualBody, the
outcome and the official response are further bodies, the target is the section as it
stood in the edition the comment was made on (its frozen address), with the quoted
passage as a TextQuoteSelector. Replies from the public stay in /api/v1/comments/.
Nothing private: no e-mail address, no client hash, only published comments.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from comments.models import Comment, Outcome
from public.api import LIST_MAX_AGE, NotFound, _comment_filters, _iso, _json, _paginate, api

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def _annotations():
    return (
        Comment.objects.published()
        .top_level()
        .select_related("edition_section__edition", "edition_section__edition_chapter")
        .order_by("created_at", "pk")
    )


def annotation_url(comment: Comment) -> str:
    return settings.SITE_URL + reverse("api:annotation", args=[comment.pk])


def _text(value: str, purpose: str, language: str | None = None, **extra) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": "text/plain",
    }
    if language:
        body["language"] = language
    return {**body, **extra}


def annotation_data(comment: Comment) -> dict[str, Any]:
    section = comment.edition_section
    chapter = section.edition_chapter
    chapter_path = reverse("public:edition_chapter", args=[section.edition.number, chapter.slug])
    creator: dict[str, Any] = {"type": "Person", "name": comment.name}
    bodies = [_text(comment.body, "commenting", comment.language)]
    if comment.outcome != Outcome.OPEN:
        # In the guide's language, whatever the reader's: the answer is cached publicly.
        with translation.override("nb"):
            value = str(Outcome(comment.outcome).label)
        if comment.outcome_explanation:
            value = f"{value}. {comment.outcome_explanation}"
        outcome_id = f"{annotation_url(comment)}#utfall"
        bodies.append(_text(value, "assessing", "nb", id=outcome_id))
    if comment.response:
        publisher = {"type": "Organization", "name": settings.SITE_OWNER}
        bodies.append(
            _text(
                comment.response,
                "replying",
                creator=publisher,
                id=f"{annotation_url(comment)}#svar",
                **({"created": _iso(comment.responded_at)} if comment.responded_at else {}),
            )
        )
    if comment.quote:
        selector: dict[str, Any] = {
            "type": "TextQuoteSelector",
            "exact": comment.quote,
            "prefix": comment.quote_prefix,
            "suffix": comment.quote_suffix,
        }
    else:
        selector = {
            "type": "FragmentSelector",
            "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
            "value": section.slug,
        }
    data: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": annotation_url(comment),
        "type": "Annotation",
        "motivation": "commenting",
        "created": _iso(comment.created_at),
        "issued": _iso(comment.published_at),
        "creator": creator,
        "canonical": settings.SITE_URL + comment.get_absolute_url(),
        "body": bodies,
        "target": {
            "source": f"{settings.SITE_URL}{chapter_path}#{section.slug}",
            "selector": selector,
        },
    }
    if comment.organisation:
        data["creator"] = [creator, {"type": "Organization", "name": comment.organisation}]
    return data


def _wants_plain_json(request: HttpRequest) -> bool:
    """JSON-LD unless the client asks for plain JSON and not for JSON-LD."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "application/ld+json" not in accept


def _ld(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    response = _json(data)
    if not _wants_plain_json(request):
        response["Content-Type"] = LD_CONTENT_TYPE
    patch_vary_headers(response, ["Accept"])
    return response


@api(max_age=LIST_MAX_AGE)
@require_safe
def annotation_list(request: HttpRequest) -> HttpResponse:
    """An AnnotationPage of the collection, filtered like /api/v1/comments/."""
    envelope, page = _paginate(request, _annotations().filter(**_comment_filters(request)))
    collection = settings.SITE_URL + reverse("api:annotations")
    this_page = settings.SITE_URL + request.get_full_path()
    data: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": this_page,
        "type": "AnnotationPage",
        "partOf": {"id": collection, "type": "AnnotationCollection", "total": envelope["count"]},
        "startIndex": (envelope["page"] - 1) * envelope["page_size"],
        "items": [{k: v for k, v in annotation_data(c).items() if k != "@context"} for c in page],
    }
    if envelope["next"]:
        data["next"] = envelope["next"]
    if envelope["previous"]:
        data["prev"] = envelope["previous"]
    return _ld(request, data)


@api(max_age=LIST_MAX_AGE)
@require_safe
def annotation(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _annotations().filter(pk=pk).first()
    if comment is None:
        raise NotFound(f"There is no published annotation {pk}.")
    return _ld(request, annotation_data(comment))
