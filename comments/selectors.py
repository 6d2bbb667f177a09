"""Read-only queries about comments that other apps' pages need."""

from __future__ import annotations

from django.db.models import Count

from comments.models import Comment


def published_counts(section_ids: list[int]) -> dict[int, int]:
    """Published comments (replies included) per section identity: one query."""
    rows = (
        Comment.objects.published()
        .filter(section_id__in=section_ids)
        .values("section_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["section_id"]: row["n"] for row in rows}
