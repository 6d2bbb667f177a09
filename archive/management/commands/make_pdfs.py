"""Make the PDF of every edition that has none (databases filled by load_guide or
restored from before PDFs existed). An edition's stored PDF is never made again."""

from __future__ import annotations

from archive.models import DocumentKind
from archive.services import edition_pdf_store
from core.commands import DryRunCommand
from guide.models import Edition


class Command(DryRunCommand):
    help = "Make the missing PDF copies of published editions."
    dry_run_help = "Only list the editions that lack a PDF."

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        missing = Edition.objects.exclude(documents__kind=DocumentKind.EDITION).order_by(
            "published_at", "pk"
        )
        made = 0
        for edition in missing:
            if dry_run:
                self.stdout.write(f"Would make the PDF of edition {edition.number}")
                continue
            document = edition_pdf_store(edition=edition)
            made += 1
            self.stdout.write(f"Made {document.file.name} ({document.size} bytes)")
        if not dry_run:
            self.stdout.write(f"{made} PDF(s) made.")
