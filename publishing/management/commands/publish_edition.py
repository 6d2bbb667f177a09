from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.commands import DryRunCommand
from guide.changes import compare, draft_state, edition_state
from guide.models import Edition
from guide.services import RoundRequest, round_plan, round_plan_text
from publishing.services import edition_publish


def _when(value: str | None, name: str):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"{name} {value!r} is not a date and time such as 2026-12-01T09:00.")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(DryRunCommand):
    help = (
        "Freeze the working draft into a new, published edition (what the admin's "
        "publish button does)."
    )
    dry_run_help = "List what would change; publish nothing."

    def add_arguments(self, parser):
        parser.add_argument("--number", required=True, help="For example 1.0.")
        parser.add_argument("--title", required=True, help="The edition's title.")
        parser.add_argument("--summary", default="", help="What is new, in plain language.")
        parser.add_argument(
            "--comments-open",
            help="When comments open (ISO date and time). With --comments-close, a new "
            "round; without both, a running round is carried over to the new edition.",
        )
        parser.add_argument("--comments-close", help="The deadline (ISO date and time).")
        parser.add_argument(
            "--end-consultation",
            action="store_true",
            help="End the running consultation round now instead of carrying it over.",
        )
        super().add_arguments(parser)

    def handle(self, *args, number, title, summary, dry_run, end_consultation, **options):
        opens = _when(options["comments_open"], "--comments-open")
        closes = _when(options["comments_close"], "--comments-close")
        if bool(opens) != bool(closes):
            raise CommandError("Give both --comments-open and --comments-close, or neither.")
        if end_consultation and opens:
            raise CommandError("--end-consultation cannot be combined with a new period.")
        current = Edition.objects.current()
        changes = [
            c
            for c in compare(edition_state(current) if current else {}, draft_state())
            if not c.is_unchanged
        ]
        base = current.number if current else "nothing"
        self.stdout.write(f"{len(changes)} chapters changed since {base}:")
        for change in changes:
            self.stdout.write(f"  {change.status}: {change.current.title}")
        asked = RoundRequest(opens, closes, end=end_consultation)
        plan = round_plan(previous=current, asked=asked)
        self.stdout.write(round_plan_text(plan, number=number))
        if dry_run:
            self.stdout.write("Nothing published (--dry-run).")
            return
        try:
            edition = edition_publish(
                number=number, title=title, summary=summary, consultation=asked
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Published edition {edition.number}."))
