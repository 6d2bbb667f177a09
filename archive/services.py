"""Making and storing the PDF copies."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from archive.models import Document, DocumentKind
from archive.pdf import html_to_pdf
from guide.models import Edition, EditionSection

logger = logging.getLogger(__name__)

# The PDFs are in the language of the guide's text, whatever the reader's interface.
PDF_LANGUAGE = "nb"


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: every character but letters, digits and spaces
    escaped, so nothing in a title can end the string or the style sheet."""
    out = []
    for char in text:
        if char.isalnum() and char.isascii() or char == " ":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")  # the space ends the escape
    return '"' + "".join(out) + '"'


def _running(*, top_left: str, top_right: str = "", bottom_left: str) -> str:
    """The text in the margins of every page (@page margin boxes)."""
    return (
        f"@page {{ @top-left {{ content: {css_string(top_left)}; }} "
        f"@top-right {{ content: {css_string(top_right)}; }} "
        f"@bottom-left {{ content: {css_string(bottom_left)}; }} }}"
    )


def edition_pdf_name(edition: Edition) -> str:
    return f"veileder-{edition.number}.pdf"


def report_pdf_name(edition: Edition) -> str:
    return f"horingsrapport-{edition.number}.pdf"


def _edition_html(edition: Edition) -> str:
    sections = EditionSection.objects.order_by("order", "pk")
    chapters = list(
        edition.chapters.order_by("kind", "order", "pk").prefetch_related(
            Prefetch("sections", queryset=sections, to_attr="pdf_sections")
        )
    )
    frozen_url = settings.SITE_URL + edition.get_absolute_url()
    context = {
        "edition": edition,
        "chapters": [c for c in chapters if not c.is_case],
        "case_studies": [c for c in chapters if c.is_case],
        "frozen_url": frozen_url,
        "is_consultation": edition.comment_opens is not None,
        "site_owner": settings.SITE_OWNER,
        "site_url": settings.SITE_URL,
    }
    with translation.override(PDF_LANGUAGE):
        context["running"] = _running(
            top_left=_("Draft guide to social media for the public sector"),
            top_right=_("DRAFT – consultation version") if context["is_consultation"] else "",
            bottom_left=_("Version %(number)s, published %(date)s")
            % {
                "number": edition.number,
                "date": formats.date_format(timezone.localtime(edition.published_at)),
            }
            + " · "
            + frozen_url,
        )
        return render_to_string("archive/edition.html", context)


def _store(*, edition: Edition, kind: str, name: str, data: bytes, fingerprint: str) -> Document:
    """Save the file and its row. A PDF made at the same moment by another process wins
    if it got there first: the edition's copy is made only once."""
    existing = Document.objects.filter(edition=edition, kind=kind).first()
    if existing is not None and (
        kind == DocumentKind.EDITION or existing.fingerprint == fingerprint
    ):
        return existing
    stored = Document(edition=edition, kind=kind, size=len(data), fingerprint=fingerprint)
    stored.file.save(name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            if existing is not None:  # a report made from an older state
                old_name = existing.file.name
                existing.file.name = stored.file.name
                existing.size, existing.fingerprint = stored.size, fingerprint
                existing.made_at = timezone.now()
                existing.save()
                if old_name:
                    transaction.on_commit(lambda: existing.file.storage.delete(old_name))
                return existing
            stored.save()
    except IntegrityError:
        stored.file.delete(save=False)
        return Document.objects.get(edition=edition, kind=kind)
    return stored


def edition_pdf_store(*, edition: Edition) -> Document:
    """The edition's PDF, made now if it has none yet. Never remade once stored."""
    found = Document.objects.filter(edition=edition, kind=DocumentKind.EDITION).first()
    if found is not None:
        return found
    data = html_to_pdf(_edition_html(edition))
    document = _store(
        edition=edition,
        kind=DocumentKind.EDITION,
        name=edition_pdf_name(edition),
        data=data,
        fingerprint="",
    )
    # Pages that link to the PDF show its size: the new row moves the guide's content
    # version (a trigger, guide/versions.py), so no cached copy lacks it.
    return document


def edition_pdf_after_commit(*, edition: Edition) -> None:
    """Make the PDF once the edition is committed. A failure here must not undo or
    hide the publishing: it is logged, and the PDF is made on its first request or by
    `make_pdfs`."""

    def make() -> None:
        try:
            edition_pdf_store(edition=edition)
        except Exception:  # noqa: BLE001 - any failure of the PDF library
            logger.exception("Could not make the PDF of edition %s", edition.number)

    transaction.on_commit(make)


# The report of a round ---------------------------------------------------------------


def report_fingerprint(edition: Edition) -> str:
    """The state of the comments made on `edition`, from their history: every change to
    a comment (published, answered, outcome, erased) adds a history row. One query."""
    from comments.models import Comment

    history = Comment.history.model.objects.filter(edition_section__edition=edition)
    state = history.aggregate(n=Count("history_id"), last=Max("history_date"))
    current = Comment.objects.filter(edition_section__edition=edition).count()
    raw = f"{state['n']} {state['last']} {current} {settings.SITE_URL}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _report_html(edition: Edition, made_at) -> str:
    from comments.selectors import report_chapters, report_totals, withheld_by_reason

    chapters = report_chapters(edition)
    context = {
        "edition": edition,
        "chapters": chapters,
        "totals": report_totals(chapters),
        "withheld": withheld_by_reason(edition),
        "made_at": made_at,
        "report_url": settings.SITE_URL + edition_report_path(edition),
        "site_owner": settings.SITE_OWNER,
        "site_url": settings.SITE_URL,
    }
    with translation.override(PDF_LANGUAGE):
        context["running"] = _running(
            top_left=_("Consultation report for version %(number)s") % {"number": edition.number},
            bottom_left=_("Made %(date)s") % {"date": formats.date_format(made_at)}
            + " · "
            + context["report_url"],
        )
        return render_to_string("archive/report.html", context)


def edition_report_path(edition: Edition) -> str:
    from django.urls import reverse

    return reverse("comments:consultation_report") + f"?versjon={edition.number}"


def report_pdf_store(*, edition: Edition) -> Document:
    """The report of the round held on `edition`, as it stands now: made again only
    when something about its comments has changed since the stored copy."""
    fingerprint = report_fingerprint(edition)
    found = Document.objects.filter(edition=edition, kind=DocumentKind.REPORT).first()
    if found is not None and found.fingerprint == fingerprint:
        return found
    data = html_to_pdf(_report_html(edition, timezone.now()))
    return _store(
        edition=edition,
        kind=DocumentKind.REPORT,
        name=report_pdf_name(edition),
        data=data,
        fingerprint=fingerprint,
    )
