from __future__ import annotations

import gzip
import io
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from comments.services import PURGED_REPORT_PREFIX

# Rebuilt by `migrate` on the target, or not worth keeping: django-axes' login records
# (usernames, IP addresses, browsers) are never backed up, content versions are moved by
# the restore itself, and the daily client keys must never outlive their two days.
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "core.contentversion",
    "core.clientkey",
]

# What --without-personal-data blanks: (model, field) → the value written instead.
# Names of commenters stay: they are public with the comments. Staff keep their names
# (the history shows who changed what) but lose their e-mail address and password hash.
PERSONAL_FIELDS = {
    ("comments.comment", "email"): "",
    ("comments.comment", "client_hash"): "",
    ("comments.report", "client_hash"): None,  # a unique placeholder per report
    ("accounts.user", "email"): "",
    ("accounts.user", "password"): "!",  # an unusable password: reset it after restoring
}


def blank_personal_data(xml: str) -> tuple[str, int]:
    """The dump with PERSONAL_FIELDS blanked. Returns the new XML and how many values
    were blanked."""
    root = ElementTree.fromstring(xml)
    blanked = 0
    for obj in root.iter("object"):
        model = obj.get("model")
        for field in obj.iter("field"):
            key = (model, field.get("name"))
            if key not in PERSONAL_FIELDS or not (field.text or ""):
                continue
            value = PERSONAL_FIELDS[key]
            field.text = f"{PURGED_REPORT_PREFIX}{obj.get('pk')}" if value is None else value
            blanked += 1
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True), blanked


class Command(BaseCommand):
    help = (
        "Write everything Innspill keeps (editions, chapters, sections, comments, their "
        "full history, users and roles) to one gzipped XML file. Restore it with "
        "`manage.py restore FILE`. A full backup holds personal data (commenters' e-mail "
        "addresses and client hashes, staff e-mail addresses and password hashes): store "
        "it encrypted and delete it in time (README, 'Backups'). --without-personal-data "
        "leaves those out, for copies that leave the operators' hands."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Where to write, e.g. innspill-2026-11-24.xml.gz")
        parser.add_argument(
            "--without-personal-data",
            action="store_true",
            help=(
                "Blank commenters' e-mail addresses and client hashes, and staff e-mail "
                "addresses and password hashes (login records are never included)."
            ),
        )

    def handle(self, *args, output: str, without_personal_data: bool, **options):
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} exists already; choose another name.")
        if not path.name.endswith(".xml.gz"):
            raise CommandError(f"Name the file ….xml.gz, e.g. innspill-{date.today()}.xml.gz.")
        dump = {
            "natural_foreign": True,
            "natural_primary": True,
            "exclude": EXCLUDE,
            # XML keeps timestamps to the microsecond; Django's JSON rounds to milliseconds.
            "format": "xml",
            "verbosity": 0,
        }
        note = ""
        if without_personal_data:
            buffer = io.StringIO()
            call_command("dumpdata", stdout=buffer, **dump)
            xml, blanked = blank_personal_data(buffer.getvalue())
            note = f", without personal data: {blanked} values blanked"
            with gzip.open(path, "wt", encoding="utf-8") as file:
                file.write(xml)
        else:
            # Streamed and compressed by dumpdata itself: the whole database is never
            # held in memory.
            call_command("dumpdata", output=str(path), **dump)
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {path} ({path.stat().st_size:,} bytes{note}).")
        )
