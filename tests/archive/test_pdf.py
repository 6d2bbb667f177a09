"""The PDF copy of each edition and of a closed round's report."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from archive.models import Document, DocumentKind
from archive.pdf import _media_name
from archive.services import css_string
from guide.models import ChapterKind
from guide.services import RoundRequest
from publishing.services import edition_publish
from tests.factories import edit, make_chapter, make_comment, publish


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://innspill.example.no"


@pytest.fixture
def draft(db):
    chapters = [
        make_chapter(slug="forord", title="Forord", sections=2),
        make_chapter(slug="ta-stilling", title="Ta stilling til sosiale medier", sections=3),
        make_chapter(
            kind=ChapterKind.CASE,
            slug="lanekassa",
            title="Lånekassa: svar der studentene er",
            organisation="Lånekassa",
            sections=1,
        ),
    ]
    return chapters


def _publish(number: str, **fields):
    """Publish `number` open for comments, with the PDF made after the commit."""
    now = timezone.now()
    fields.setdefault(
        "consultation", RoundRequest(now - timedelta(days=1), now + timedelta(days=60))
    )
    return publish(number, **fields)


def _squeezed(text: str) -> str:
    """Text extraction drops or adds spaces around dashes and commas: compare without."""
    return re.sub(r"\s+", "", text)


def test_publishing_stores_a_tagged_pdf_with_every_chapter(draft):
    edition = _publish("0.9")

    document = Document.objects.get(edition=edition, kind=DocumentKind.EDITION)
    assert document.size == document.file.size > 1000
    reader = PdfReader(document.file.path)
    pages = [page.extract_text() for page in reader.pages]
    text = _squeezed("\n".join(pages))
    for chapter in draft:
        assert _squeezed(chapter.title) in text
    assert "0.9" in text
    assert _squeezed("UTKAST – høringsversjon") in text
    # The frozen address and the edition on every page, cover included.
    for page in pages:
        assert "https://innspill.example.no/versjoner/0.9/" in _squeezed(page)
        assert _squeezed("Versjon 0.9") in _squeezed(page)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "nb"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert b'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data()  # PDF/UA-1
    assert "0.9" in reader.metadata.title
    assert "Utkast til veileder" in reader.metadata.title
    outline = [item.title for item in _flatten(reader.outline)]
    assert "Forord" in " ".join(outline)
    assert any("Lånekassa" in title for title in outline)
    assert any(title.startswith("Del 1") for title in outline)  # sections are bookmarks too


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_an_edition_without_a_consultation_is_not_marked_as_a_draft(draft):
    edition = _publish("1.0", consultation=RoundRequest())
    document = Document.objects.get(edition=edition)
    text = _squeezed("".join(p.extract_text() for p in PdfReader(document.file.path).pages))
    assert "UTKAST" not in text


def test_the_pdf_address_answers_pdf_and_never_changes_after_a_later_edition(draft, client):
    _publish("0.9")
    first = client.get("/versjoner/0.9/veileder.pdf")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    before = b"".join(first.streaming_content)
    assert before.startswith(b"%PDF-")

    edit(draft[0], title="Forord, omskrevet")
    _publish("1.0")
    after = client.get("/versjoner/0.9/veileder.pdf")
    assert b"".join(after.streaming_content) == before
    newer = b"".join(client.get("/versjoner/1.0/veileder.pdf").streaming_content)
    assert newer != before
    assert Document.objects.filter(kind=DocumentKind.EDITION).count() == 2


def test_edition_and_chapter_pages_link_to_the_pdf_with_its_size(draft, client):
    edition = _publish("0.9")
    size = Document.objects.get(edition=edition).size
    shown = f"{size / 1024:.1f}".replace(".", ",") + "\xa0KB"
    for url in ["/versjoner/0.9/", "/veileder/forord/", "/versjoner/0.9/forord/"]:
        html = client.get(url).content.decode()
        assert 'href="/versjoner/0.9/veileder.pdf"' in html, url
        assert shown in html, url


def test_a_missing_pdf_is_made_on_request_and_by_the_command(draft, client):
    # Published without the on-commit hook (as in a restored or loaded database).
    edition_publish(number="0.9", title="Uten PDF")
    edition_publish(number="1.0", title="Også uten")
    call_command("make_pdfs", "--dry-run")
    assert not Document.objects.exists()
    response = client.get("/versjoner/0.9/veileder.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    call_command("make_pdfs")
    assert Document.objects.filter(kind=DocumentKind.EDITION).count() == 2
    assert client.get("/versjoner/9.9/veileder.pdf").status_code == 404


def test_the_report_of_a_closed_round_as_pdf(draft, client):
    edition = _publish("0.9")
    comment = make_comment(
        edition,
        edition_section=edition.sections.get(edition_chapter__slug="forord", slug="del-1"),
        name="Kari Nordmann",
        email="kari@example.no",
        body="Forordet bør si hvem veilederen er skrevet for.",
    )
    # Open round: no report PDF yet.
    assert client.get("/versjoner/0.9/horingsrapport.pdf").status_code == 404
    edition.comment_closes = timezone.now() - timedelta(minutes=1)
    edition.comment_opens = edition.comment_closes - timedelta(days=60)
    edition.save()

    response = client.get("/versjoner/0.9/horingsrapport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = Document.objects.get(edition=edition, kind=DocumentKind.REPORT)
    reader = PdfReader(document.file.path)
    text = _squeezed("".join(p.extract_text() for p in reader.pages))
    assert _squeezed("Kari Nordmann") in text
    assert _squeezed("hvem veilederen er skrevet for") in text
    assert "kari@example.no" not in text and "@" not in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert (
        'href="/versjoner/0.9/horingsrapport.pdf"'
        in client.get("/horing/rapport/?versjon=0.9").content.decode()
    )

    # The same state: the same file. A new decision: a new file at the same address.
    client.get("/versjoner/0.9/horingsrapport.pdf")
    assert Document.objects.get(pk=document.pk).file.name == document.file.name
    comment.outcome = "accepted"
    comment.outcome_explanation = "Vi skriver det inn."
    comment.save()
    client.get("/versjoner/0.9/horingsrapport.pdf")
    remade = Document.objects.get(pk=document.pk)
    assert remade.fingerprint != document.fingerprint
    text = _squeezed("".join(p.extract_text() for p in PdfReader(remade.file.path).pages))
    assert _squeezed("Vi skriver det inn.") in text


def test_the_pdf_fetches_only_the_sites_own_uploads(settings):
    assert _media_name("https://innspill.example.no/media/guide/bilde.png") == "guide/bilde.png"
    assert _media_name("https://evil.example/media/guide/bilde.png") is None
    assert _media_name("http://169.254.169.254/latest/meta-data/") is None
    assert _media_name("https://innspill.example.no/media/../config/settings.py") is None
    assert _media_name("file:///etc/passwd") is None


def test_margin_text_cannot_break_out_of_its_css_string():
    escaped = css_string('Tittel "}</style><script>')
    assert escaped.count('"') == 2 and "<" not in escaped and "}" not in escaped


def test_a_pdf_lost_from_storage_is_made_again(draft, client):
    edition = _publish("0.9")
    document = Document.objects.get(edition=edition)
    document.file.storage.delete(document.file.name)
    response = client.get("/versjoner/0.9/veileder.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert Document.objects.get(edition=edition).file.storage.exists(document.file.name)
