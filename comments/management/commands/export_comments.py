from __future__ import annotations

from django.core.management.base import BaseCommand

from comments.exports import csv_lines, export_queryset, json_chunks
from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Write all comments, with e-mail addresses and moderation status, as CSV or JSON to "
        "standard output. For staff only: the output holds personal data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Only published comments, without e-mail addresses (the open-data export).",
        )

    def handle(self, *args, format: str, published_only: bool, **options):
        queryset = Comment.objects.published() if published_only else Comment.objects.all()
        comments = export_queryset(queryset).iterator(chunk_size=2000)
        chunks = json_chunks if format == "json" else csv_lines
        for chunk in chunks(comments, staff=not published_only):
            self.stdout.write(chunk, ending="")
