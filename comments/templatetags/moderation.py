from django import template

from comments.models import Comment

register = template.Library()


@register.simple_tag
def comments_waiting() -> int:
    """Comments a moderator must look at: pending, or hidden after reports."""
    return (Comment.objects.pending() | Comment.objects.filter(hidden_by_reports=True)).count()
