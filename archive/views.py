"""The PDF copies, at addresses under their edition that never change."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive.models import Document
from archive.services import (
    edition_pdf_name,
    edition_pdf_store,
    report_pdf_name,
    report_pdf_store,
)
from guide.pages import edition_or_404

EDITION_MAX_AGE = 24 * 3600
REPORT_MAX_AGE = 5 * 60


def _pdf_response(document: Document, filename: str, max_age: int) -> HttpResponse:
    response = FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=filename
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Length"] = str(document.size)
    response["ETag"] = f'"pdf-{document.pk}-{document.fingerprint[:16] or document.size}"'
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def edition_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The whole guide as published in this edition. Made at publishing; made here
    only if that failed or the edition came from before PDFs existed."""
    edition = edition_or_404(number)
    document = edition_pdf_store(edition=edition)
    return _pdf_response(document, edition_pdf_name(edition), EDITION_MAX_AGE)


@require_safe
def report_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The report of the round held on this edition, once the round has closed."""
    edition = edition_or_404(number)
    if edition.comment_period_state() != "closed":
        raise Http404("This version has no closed consultation round.")
    document = report_pdf_store(edition=edition)
    return _pdf_response(document, report_pdf_name(edition), REPORT_MAX_AGE)
