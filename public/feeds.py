"""Atom feeds: new editions; published comments, all and per chapter.

Feed readers render an entry's summary as HTML, so everything a visitor wrote is
escaped here first: it arrives as text, never as markup. No e-mail address is ever
part of a feed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from comments.models import Comment
from core.markdown import CONTROL_CHARACTERS
from guide.models import Edition, EditionChapter

FEED_SIZE = 50
# XML cannot carry control characters; the comment form refuses them, this keeps feeds
# safe regardless.


def _text(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)


def absolute(path: str) -> str:
    """Feeds carry absolute links: from SITE_URL, never from the request's Host."""
    return settings.SITE_URL + path


class EditionFeed(Feed):
    feed_type = Atom1Feed

    def feed_url(self):
        return absolute(reverse("public:edition_feed"))

    def item_link(self, item: Edition) -> str:
        return absolute(item.get_absolute_url())

    def title(self):
        return _("New versions of the draft guide")

    def link(self):
        return absolute(reverse("public:editions"))

    def subtitle(self):
        return _("Each published version of the guide, with a summary of what changed.")

    def items(self):
        return Edition.objects.newest_first()[:FEED_SIZE]

    def item_title(self, item: Edition) -> str:
        return _("Version %(number)s: %(title)s") % {"number": item.number, "title": item.title}

    def item_description(self, item: Edition) -> str:
        return linebreaks(escape(item.summary))

    def item_pubdate(self, item: Edition):
        return item.published_at

    def item_author_name(self, item: Edition) -> str:
        return settings.SITE_OWNER


class CommentFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, chapter: str | None = None):
        if chapter is None:
            return None
        current = Edition.objects.current()
        if current is None:
            raise Http404("Nothing is published yet.")
        return get_object_or_404(EditionChapter, edition=current, slug=chapter)

    def feed_url(self, obj: EditionChapter | None):
        if obj is None:
            return absolute(reverse("public:comment_feed"))
        return absolute(reverse("public:chapter_comment_feed", args=[obj.slug]))

    def title(self, obj: EditionChapter | None):
        if obj is None:
            return _("Published comments on the draft guide")
        return _("Published comments on “%(title)s”") % {"title": obj.title}

    def link(self, obj: EditionChapter | None):
        url = absolute(reverse("comments:list"))
        return f"{url}?kapittel={obj.slug}" if obj else url

    def items(self, obj: EditionChapter | None):
        comments = (
            Comment.objects.published()
            .select_related("edition_section__edition_chapter")
            .order_by("-published_at", "-pk")
        )
        if obj is not None:
            comments = comments.filter(edition_section__edition_chapter__chapter_id=obj.chapter_id)
        return comments[:FEED_SIZE]

    def item_title(self, item: Comment) -> str:
        return _text(
            _("%(name)s on “%(heading)s”")
            % {"name": item.name, "heading": item.edition_section.heading}
        )

    def item_description(self, item: Comment) -> str:
        quote = f"<blockquote>{escape(_text(item.quote))}</blockquote>" if item.quote else ""
        return quote + linebreaks(escape(_text(item.body)))

    def item_link(self, item: Comment) -> str:
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item: Comment):
        return item.published_at or item.created_at

    def item_author_name(self, item: Comment) -> str:
        return _text(item.name)
