from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from core.commands import DryRunCommand
from guide.content import ContentError, read_content
from guide.models import Chapter, Edition, Section
from guide.services import RoundRequest
from publishing.services import edition_publish

CHANGE_NOTE = "Lastet inn fra innholdsmappen"


class Command(DryRunCommand):
    help = (
        "Load the guide's content folder into an empty database and publish its first "
        "edition. Does nothing if the guide already has chapters or editions."
    )
    dry_run_help = "Check the content and load nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.BASE_DIR / "content"),
            help="The content folder (default: content/ in the project).",
        )
        super().add_arguments(parser)

    def handle(self, *args, directory: str, dry_run: bool, **options):
        try:
            content = read_content(Path(directory))
        except ContentError as error:
            raise CommandError(str(error)) from None
        sections = sum(len(c.sections) for c in content.chapters)
        summary = f"{len(content.chapters)} chapters and case studies, {sections} sections"
        if Chapter.objects.exists() or Edition.objects.exists():
            self.stdout.write("The guide is already loaded; nothing to do.")
            return
        if dry_run:
            self.stdout.write(f"Content is valid: {summary}. Nothing loaded (--dry-run).")
            return
        with transaction.atomic():
            self._load(content)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {summary}; published edition {content.edition.number}.")
        )

    def _load(self, content) -> None:
        order = {"chapter": 0, "case": 0}
        for item in content.chapters:
            order[item.kind] += 1
            chapter = Chapter(
                kind=item.kind,
                slug=item.slug,
                title=item.title,
                order=order[item.kind],
                intro=item.intro,
                organisation=item.organisation,
                channels=item.channels,
            )
            chapter._change_reason = CHANGE_NOTE
            chapter.save()
            for position, part in enumerate(item.sections, start=1):
                section = Section(
                    chapter=chapter,
                    slug=part.slug,
                    heading=part.heading,
                    order=position,
                    body=part.body,
                )
                section._change_reason = CHANGE_NOTE
                section.save()
        now = timezone.now()
        days = content.edition.comment_period_days
        edition_publish(
            number=content.edition.number,
            title=content.edition.title,
            summary=content.edition.summary,
            consultation=RoundRequest(now, now + timedelta(days=days)) if days else RoundRequest(),
            now=now,
        )
