from __future__ import annotations

import gzip
import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Rebuilt by `migrate` on the target, or not worth keeping. Content versions are moved
# by the restore itself; the daily client keys must never outlive their two days.
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "guide.contentversion",
    "comments.clientkey",
]


class Command(BaseCommand):
    help = (
        "Write everything Innspill keeps (editions, chapters, sections, comments, their "
        "full history, users and roles) to one gzipped XML file. Restore it with "
        "`manage.py restore FILE`. The file holds personal data: store it accordingly."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Where to write, e.g. innspill-2026-11-24.xml.gz")

    def handle(self, *args, output: str, **options):
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} exists already; choose another name.")
        buffer = io.StringIO()
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDE,
            # XML keeps timestamps to the microsecond; Django's JSON rounds to milliseconds.
            format="xml",
            stdout=buffer,
        )
        with gzip.open(path, "wt", encoding="utf-8") as file:
            file.write(buffer.getvalue())
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {path} ({path.stat().st_size:,} bytes).")
        )
