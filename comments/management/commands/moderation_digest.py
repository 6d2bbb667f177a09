from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from comments.models import Comment
from core.commands import DryRunCommand

OLDEST = 10


class Command(DryRunCommand):
    help = (
        "E-mail moderators how many comments wait for review and which have waited "
        "longest. Sends nothing when nothing waits. Meant for cron."
    )
    dry_run_help = "Print the message instead of sending it."

    def handle(self, *args, dry_run: bool, **options):
        waiting = Comment.objects.needs_attention()
        count = waiting.count()
        if not count:
            self.stdout.write("No comments wait for review; nothing sent.")
            return
        recipients = sorted(
            get_user_model()
            .objects.filter(is_active=True, groups__name="Moderator")
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        oldest = waiting.select_related("edition_section__edition_chapter").order_by(
            "created_at", "pk"
        )[:OLDEST]
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "count": count,
                "oldest": oldest,
                "now": timezone.now(),
                "queue_url": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
            }
            subject = translation.ngettext(
                "%(n)d comment waits for review", "%(n)d comments wait for review", count
            ) % {"n": count}
            body = render_to_string("comments/email/digest.txt", context)
        if dry_run:
            self.stdout.write(f"To: {', '.join(recipients) or '(no moderators with e-mail)'}")
            self.stdout.write(f"Subject: {subject}\n\n{body}")
            return
        if not recipients:
            self.stderr.write("No active moderator has an e-mail address; nothing sent.")
            return
        send_mail(subject, body, None, recipients)
        self.stdout.write(f"Sent the digest ({count} waiting) to {len(recipients)} moderators.")
