from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments.models import Comment
from guide.models import Chapter, Edition


class Command(BaseCommand):
    help = (
        "Load a file made by `manage.py backup` into a freshly migrated, empty database. "
        "Refuses to load over existing content."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="A file made by `manage.py backup`.")

    def handle(self, *args, input: str, **options):
        path = Path(input)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        if Chapter.objects.exists() or Edition.objects.exists() or Comment.objects.exists():
            raise CommandError(
                "The database already holds a guide or comments. Restore into an empty "
                "database: create it, run `manage.py migrate`, then restore."
            )
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "innspill-backup.xml"
            with gzip.open(path, "rb") as source, fixture.open("wb") as target:
                shutil.copyfileobj(source, target)
            with transaction.atomic():
                call_command("loaddata", str(fixture), verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {Edition.objects.count()} editions, {Chapter.objects.count()} "
                f"chapters and {Comment.objects.count()} comments from {path}."
            )
        )
