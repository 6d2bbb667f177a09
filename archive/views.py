"""The PDF copies, at addresses under their edition that never change."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive.models import Document
from archive.services import (
    edition_pdf_name,
    edition_pdf_store,
    report_pdf_name,
    report_pdf_store,
)
from guide.selectors import edition_or_404

logger = logging.getLogger(__name__)

EDITION_MAX_AGE = 24 * 3600
REPORT_MAX_AGE = 5 * 60


def _open(document: Document, remake: Callable[[], Document]):
    """The stored file, or, if storage has lost it (a restored database, media not
    shared between instances), a new one made from the same frozen rows."""
    try:
        return document, document.file.open("rb")
    except FileNotFoundError:
        logger.warning("PDF %s missing from storage: making it again", document.file.name)
        document.delete()
        document = remake()
        return document, document.file.open("rb")


def _pdf_response(
    document: Document, filename: str, max_age: int, remake: Callable[[], Document]
) -> FileResponse:
    document, handle = _open(document, remake)
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Length"] = str(document.size)
    response["ETag"] = f'"pdf-{document.pk}-{document.fingerprint[:16] or document.size}"'
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def edition_pdf(request: HttpRequest, number: str) -> FileResponse:
    """The whole guide as published in this edition. Made at publishing; made here
    only if that failed or the edition came from before PDFs existed."""
    edition = edition_or_404(number)
    remake = functools.partial(edition_pdf_store, edition=edition)
    return _pdf_response(remake(), edition_pdf_name(edition), EDITION_MAX_AGE, remake)


@require_safe
def report_pdf(request: HttpRequest, number: str) -> FileResponse:
    """The report of the round held on this edition, once the round has closed."""
    edition = edition_or_404(number)
    if not edition.comment_period_state().is_closed:
        raise Http404("This version has no closed consultation round.")
    remake = functools.partial(report_pdf_store, edition=edition)
    return _pdf_response(remake(), report_pdf_name(edition), REPORT_MAX_AGE, remake)
