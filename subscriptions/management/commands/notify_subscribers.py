"""Mail the subscribers about an edition: what publishing does on its own. For when
the mail server was down then. Each subscriber is told about an edition at most once."""

from __future__ import annotations

from django.core.management.base import CommandError

from core.commands import DryRunCommand
from guide.models import Edition
from subscriptions.models import Delivery, Subscription
from subscriptions.services import changed_chapters, subscriptions_notify


class Command(DryRunCommand):
    help = "Mail confirmed subscribers about an edition, skipping those already told."
    dry_run_help = "Only count who would get a mail."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--edition", required=True, help="The edition number, e.g. 1.0.")
        super().add_arguments(parser)

    def handle(self, *args, edition: str, dry_run: bool = False, **options) -> None:
        found = Edition.objects.filter(number=edition).first()
        if found is None:
            raise CommandError(f"There is no edition {edition}.")
        if dry_run:
            chapters = changed_chapters(found)
            told = Delivery.objects.filter(edition=found).values("subscription_id")
            waiting = Subscription.objects.confirmed().exclude(pk__in=told)
            count = sum(1 for s in waiting if s.chapter_id is None or s.chapter_id in chapters)
            self.stdout.write(f"Would mail {count} subscriber(s) about edition {edition}.")
            return
        sent = subscriptions_notify(edition=found)
        self.stdout.write(f"Mailed {sent} subscriber(s) about edition {edition}.")
