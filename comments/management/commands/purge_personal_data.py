from __future__ import annotations

from django.conf import settings

from comments.services import personal_data_purge
from core.commands import DryRunCommand
from subscriptions.services import subscriptions_purge_unconfirmed


class Command(DryRunCommand):
    help = (
        "Delete personal data kept longer than the privacy page promises: client-address "
        "hashes on comments and reports (RETAIN_CLIENT_HASH_DAYS), e-mail addresses "
        "(RETAIN_EMAIL_MONTHS after the comment's outcome was set, or after it was "
        "received if it has none), django-axes' login records (RETAIN_LOGIN_RECORDS_DAYS) "
        "and subscriptions never confirmed within a week. Run it daily. Idempotent."
    )
    dry_run_help = "Count what would be deleted; change nothing."

    def handle(self, *args, dry_run: bool, **options):
        counts = personal_data_purge(dry_run=dry_run)
        unconfirmed = subscriptions_purge_unconfirmed(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb}: {counts['comment_client_hashes']} comment client hashes and "
            f"{counts['report_client_hashes']} report client hashes older than "
            f"{settings.RETAIN_CLIENT_HASH_DAYS} days; {counts['comment_emails']} e-mail "
            f"addresses {settings.RETAIN_EMAIL_MONTHS} months past their comment's outcome; "
            f"{counts['login_records']} login records older than "
            f"{settings.RETAIN_LOGIN_RECORDS_DAYS} days; {counts['client_keys']} daily client "
            f"keys past their two days; {unconfirmed} subscriptions never confirmed."
        )
