"""What the project's management commands share."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class DryRunCommand(BaseCommand):
    """A command that changes data (or sends mail) and can instead say what it would do:
    `--dry-run`, with `dry_run_help` saying what a dry run does."""

    dry_run_help = "Change nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
