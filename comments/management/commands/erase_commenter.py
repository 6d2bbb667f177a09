from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email

from comments.services import commenter_erase
from core.commands import DryRunCommand


class Command(DryRunCommand):
    help = (
        "Erase a commenter's name and e-mail address from every comment they wrote with "
        "that address, history and admin log included. The comments stay, as a public "
        'record, shown as by "Navn fjernet" / "Namn fjerna" / "Name removed". Use '
        "--comment ID (repeatable) for comments whose address is already purged."
    )
    dry_run_help = "Count what would change; change nothing."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="", help="The commenter's e-mail address.")
        parser.add_argument(
            "--comment",
            type=int,
            action="append",
            default=[],
            dest="comments",
            metavar="ID",
            help="A comment of theirs, by id (as in /kommentarer/ID/); repeatable.",
        )
        super().add_arguments(parser)

    def handle(self, *args, email: str, comments: list[int], dry_run: bool, **options):
        if not email and not comments:
            raise CommandError("Give --email ADDRESS, or --comment ID for each comment.")
        if email:
            try:
                validate_email(email.strip())
            except ValidationError:
                raise CommandError(f"{email!r} is not an e-mail address.") from None
        counts = commenter_erase(email=email, comment_ids=comments, dry_run=dry_run)
        if not counts["comments"]:
            self.stdout.write(
                "No comment has that e-mail address or id (the address may have been "
                "erased or purged already: look the comments up and use --comment). "
                "Nothing changed."
            )
            return
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb} the name and e-mail address on {counts['comments']} comments "
            f"and the name in {counts['history_records']} history records."
        )
