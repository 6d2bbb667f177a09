from django import template

from comments.models import Comment

register = template.Library()


@register.simple_tag
def comments_waiting() -> int:
    """Comments a moderator must look at (Comment.objects.needs_attention())."""
    return Comment.objects.needs_attention().count()
