"""One realistic data set that shows every public page and state of the site.

Built once and shared: by the HTML validity test (through Django's test client) and by
the browser suites (through one live server for a whole module). It holds:

- the real guide from content/, published as 0.9 (open for comments), then changed and
  published as 1.0 (still open for comments): a section changed, the chapter "Om
  veilederen" removed (so its stable address answers 410); then 1.1, which changes
  nothing in the text (the "nothing changed" states); then 1.2, which adds a chapter;
- published comments in bokmål, nynorsk and English (one with a quote, an outcome, an
  official response, a link to the edition that addressed it and a public reply), one
  pending comment (for the receipt page) and one withheld (for the report).

`PAGES` lists every public page and state by name; `paths` (from `build_site`) gives the
address of each. Pages that need a form to be sent (error states, the receipt, the
report's "thank you") are described by `POSTS`. `EMPTY_PAGES` are the states of a site
where nothing is published yet (no data set at all). `MARKERS` proves each page is in
the state it is named for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

CHAPTER = "ta-stilling"
SECTION = "formal"
REMOVED_CHAPTER = "om-veilederen"
ADDED_CHAPTER = "arkivering"
CASE = "barneombudet"
CASE_SECTION = "bakgrunn"
QUOTE = "Start med formålet, ikke med kanalen."
LANGUAGES = ("nb", "nn", "en")

COMMENT_BODIES = {
    "nb": "Formålet bør komme før valget av kanal, også i små kommuner.",
    "nn": "Formålet bør kome før valet av kanal, òg i små kommunar.",
    "en": "The purpose should come before the choice of channel, in small councils too.",
}
REPLY_BODY = "I agree: our council chose Facebook first and regretted it."
LONG_QUERY = "formål " * 40  # 280 characters: over the search's limit of 200


@dataclass
class Site:
    """Addresses and ids of the data set, for tests to use without the ORM."""

    base_url: str = ""  # set when a live server serves the data set
    paths: dict[str, str] = field(default_factory=dict)
    comment_ids: dict[str, int] = field(default_factory=dict)
    published_dates: dict[str, dict[str, str]] = field(default_factory=dict)


def _comment(section, *, language, name, quote="", organisation="", parent=None):
    from comments.services import comment_submit

    return comment_submit(
        edition_section=section,
        name=name,
        organisation=organisation,
        body=REPLY_BODY if parent else COMMENT_BODIES[language],
        quote=quote,
        parent=parent,
        language=language,
    )


def build_site() -> Site:
    """Create the data set in the (empty) test database and return its addresses."""
    from django.core.management import call_command
    from django.utils import formats, timezone, translation

    from comments.models import Outcome, WithheldReason
    from comments.receipts import receipt_url
    from comments.services import (
        comment_publish,
        comment_respond,
        comment_withhold,
        comments_address,
    )
    from guide.models import Chapter, ChapterKind, Edition, EditionSection, Section
    from guide.services import RoundRequest
    from publishing.services import edition_publish

    call_command("load_guide", stdout=io.StringIO())
    first = Edition.objects.current()
    assert first is not None and first.comment_period_state() == "open"
    on_first = EditionSection.objects.get(
        edition=first, edition_chapter__slug=CHAPTER, slug=SECTION
    )

    quoted = _comment(
        on_first,
        language="nb",
        name="Kari Nordmann",
        organisation="Eksempel kommune",
        quote=QUOTE,
    )
    comment_publish(comment=quoted)
    nynorsk = _comment(on_first, language="nn", name="Nils Nynorsk")
    comment_publish(comment=nynorsk)
    comment_respond(comment=nynorsk, outcome=Outcome.NOTED, explanation="Tatt til orientering.")
    english = _comment(on_first, language="en", name="Emma English", organisation="Example Ltd")
    comment_publish(comment=english)
    reply = _comment(on_first, language="en", name="Per Svar", parent=quoted)
    comment_publish(comment=reply)
    pending = _comment(on_first, language="nb", name="Venter Venn")
    withheld = _comment(on_first, language="nb", name="Holdt Tilbake")
    comment_withhold(comment=withheld, reason=WithheldReason.OFF_TOPIC)

    # Version 1.0: a changed section that addresses the quoted comment, a removed chapter.
    section = Section.objects.get(chapter__slug=CHAPTER, slug=SECTION)
    section.body += "\n\nEt nytt avsnitt lagt til i versjon 1.0, etter innspill."
    section._change_reason = "Svar på innspill"
    section.save()
    comments_address(
        comments=[quoted],
        revision=section.history.first(),
        outcome=Outcome.ACCEPTED,
        explanation="Vi har lagt til et avsnitt.",
    )
    comment_respond(
        comment=quoted,
        outcome=Outcome.ACCEPTED,
        explanation="Vi har lagt til et avsnitt.",
        response="Takk for innspillet. Vi har skrevet dette tydeligere.",
    )
    removed = Chapter.objects.get(slug=REMOVED_CHAPTER)
    removed.is_active = False
    removed._change_reason = "Tatt ut av veilederen"
    removed.save()
    now = timezone.now()
    period = RoundRequest(now - timedelta(minutes=1), now + timedelta(days=60))

    def publish(number: str, summary: str) -> Edition:
        """Publish `number`, open for comments in the same round as the others."""
        return edition_publish(
            number=number, title=f"Versjon {number}", summary=summary, consultation=period
        )

    second = publish("1.0", "Oppdatert etter innspill.\n\nKapitlet «Om veilederen» er tatt ut.")
    # 1.1 changes nothing in the text: the "nothing changed" states.
    publish("1.1", "Ny frist.")
    # 1.2 adds a chapter, whose history is then empty.
    added = Chapter(
        kind=ChapterKind.CHAPTER,
        slug=ADDED_CHAPTER,
        title="Arkivering av innhold",
        order=99,
        intro="Et nytt kapittel i versjon 1.2, skrevet som eksempeltekst.",
    )
    added._change_reason = "Nytt kapittel"
    added.save()
    added_section = Section(
        chapter=added,
        slug="hva-skal-arkiveres",
        heading="Hva skal arkiveres?",
        order=1,
        body="Innlegg og svar som gjelder saker hos virksomheten, kan være arkivverdige.",
    )
    added_section._change_reason = "Ny del"
    added_section.save()
    fourth = publish("1.2", "Nytt kapittel.")
    assert Edition.objects.current() == fourth and fourth.comment_period_state() == "open"

    # Someone who asked for e-mail about the guide (the confirm and unsubscribe pages).
    from subscriptions.models import Subscription
    from subscriptions.services import confirm_token, unsubscribe_token

    reader = Subscription.objects.create(email="lesar@example.no", language="nn")

    site = Site()
    site.comment_ids = {
        "quoted": quoted.pk,
        "nynorsk": nynorsk.pk,
        "english": english.pk,
        "reply": reply.pk,
        "pending": pending.pk,
    }
    for language in LANGUAGES:
        with translation.override(language):
            site.published_dates[language] = {
                number: formats.date_format(timezone.localtime(edition.published_at), "DATE_FORMAT")
                for number, edition in (("0.9", first), ("1.0", second), ("1.2", fourth))
            }
    chapter = f"/veileder/{CHAPTER}/"
    site.paths = {
        "front": "/",
        "contents": "/veileder/",
        "chapter": chapter,
        "section": f"{chapter}{SECTION}/",
        "whole-guide": "/veileder/hele/",
        "chapter-history": f"{chapter}endringer/",
        "chapter-history-new-chapter": f"/veileder/{ADDED_CHAPTER}/endringer/",
        "cases": "/eksempler/",
        "case": f"/eksempler/{CASE}/",
        "case-section": f"/eksempler/{CASE}/{CASE_SECTION}/",
        "editions": "/versjoner/",
        "edition": "/versjoner/0.9/",
        "edition-current": "/versjoner/1.2/",
        "edition-unchanged": "/versjoner/1.1/",
        "edition-chapter": f"/versjoner/0.9/{CHAPTER}/",
        "edition-removed-chapter": f"/versjoner/0.9/{REMOVED_CHAPTER}/",
        "compare": "/endringer/?fra=0.9&til=1.0",
        "compare-side-by-side": "/endringer/?fra=0.9&til=1.0&visning=side",
        "compare-error": "/endringer/?fra=1.0&til=1.0",
        "compare-nothing-changed": "/endringer/?fra=1.0&til=1.1",
        "compare-new-chapter": "/endringer/",
        "comments": "/kommentarer/",
        "comments-filter-no-match": f"/kommentarer/?kapittel={CHAPTER}&utfall=out_of_scope",
        "comments-empty": "/kommentarer/",  # after hide_comments()
        "comment": f"/kommentarer/{quoted.pk}/",
        "comment-reply": f"/kommentarer/{reply.pk}/",
        "report-confirm": f"/kommentarer/{english.pk}/rapporter/",
        "api-docs": "/apne-data/",
        "receipt": receipt_url(pending),
        "consultation": "/horing/",
        "consultation-report": "/horing/rapport/",
        "consultation-report-earlier": "/horing/rapport/?versjon=0.9",
        "search": "/sok/",
        "search-results": "/sok/?q=form%C3%A5let",
        "search-no-results": "/sok/?q=xylofonorkester",
        "search-error": "/sok/?q=" + LONG_QUERY.replace(" ", "+"),
        "privacy": "/personvern/",
        "accessibility": "/tilgjengelighet/",
        "subscribe": "/abonner/",
        "subscribe-chapter": f"/abonner/?kapittel={CHAPTER}",
        "subscribe-sent": "/abonner/sendt/",
        "subscribe-confirm": f"/abonner/bekreft/{confirm_token(reader)}/",
        "subscribe-bad-link": "/abonner/bekreft/ikke-en-gyldig-lenke/",
        "unsubscribe": f"/abonner/avslutt/{unsubscribe_token(reader)}/",
        "not-found": "/finnes-ikke/",
        "gone": f"/veileder/{REMOVED_CHAPTER}/",
        # Reached by sending a form (see POSTS):
        "section-error": f"{chapter}{SECTION}/",
        "comment-error": f"/kommentarer/{quoted.pk}/",
        "report-done": f"/kommentarer/{english.pk}/rapporter/",
        "report-error": f"/kommentarer/{english.pk}/rapporter/",
        "subscribe-error": "/abonner/",
        "subscribe-confirmed": f"/abonner/bekreft/{confirm_token(reader)}/",
    }
    return site


@dataclass(frozen=True)
class Post:
    """A form to send to reach a page: `fields` as typed; `selector` finds the form."""

    fields: dict[str, str]
    selector: str
    status: int


POSTS = {
    "section-error": Post({"body": "For kort", "name": ""}, ".comment-form", 400),
    "comment-error": Post({"body": "", "name": ""}, "#svar .comment-form", 400),
    "report-done": Post({"reason": "spam"}, "main form", 200),
    "report-error": Post({}, "main form", 400),
    "subscribe-error": Post({"email": "ikke en adresse"}, ".subscribe-form", 400),
    "subscribe-confirmed": Post({}, "main form", 200),
}

# Every public page and state: name -> expected HTTP status.
PAGES = {
    "front": 200,
    "contents": 200,
    "chapter": 200,
    "section": 200,
    "section-error": 400,
    "whole-guide": 200,
    "chapter-history": 200,
    "chapter-history-new-chapter": 200,
    "cases": 200,
    "case": 200,
    "case-section": 200,
    "editions": 200,
    "edition": 200,
    "edition-current": 200,
    "edition-unchanged": 200,
    "edition-chapter": 200,
    "edition-removed-chapter": 200,
    "compare": 200,
    "compare-side-by-side": 200,
    "compare-error": 400,
    "compare-nothing-changed": 200,
    "compare-new-chapter": 200,
    "comments": 200,
    "comments-filter-no-match": 200,
    "comments-empty": 200,
    "comment": 200,
    "comment-error": 400,
    "comment-reply": 200,
    "report-confirm": 200,
    "report-done": 200,
    "report-error": 400,
    "receipt": 200,
    "consultation": 200,
    "consultation-report": 200,
    "consultation-report-earlier": 200,
    "search": 200,
    "search-results": 200,
    "search-no-results": 200,
    "search-error": 400,
    "privacy": 200,
    "accessibility": 200,
    "api-docs": 200,
    "subscribe": 200,
    "subscribe-chapter": 200,
    "subscribe-error": 400,
    "subscribe-sent": 200,
    "subscribe-confirm": 200,
    "subscribe-confirmed": 200,
    "subscribe-bad-link": 404,
    "unsubscribe": 200,
    "not-found": 404,
    "gone": 410,
}


class hide_comments:
    """While active, no comment is public (the empty state of /kommentarer/)."""

    def __enter__(self):
        from comments.models import Comment

        self._hidden = list(
            Comment.objects.filter(hidden_by_reports=False).values_list("pk", flat=True)
        )
        # The database's triggers move the content version: no cached page shows them.
        Comment.objects.filter(pk__in=self._hidden).update(hidden_by_reports=True)
        return self

    def __exit__(self, *exc):
        from comments.models import Comment

        Comment.objects.filter(pk__in=self._hidden).update(hidden_by_reports=False)
        return False


# Something each page must hold, to prove it is in the state it is named for.
MARKERS = {
    "section": 'class="comment-form"',
    "section-error": 'id="error-summary"',
    "comment": 'class="comment-form"',
    "comment-error": 'id="error-summary"',
    "compare": "<ins>",
    "compare-side-by-side": 'class="diff-side"',
    "compare-error": 'id="error-summary"',
    "comments": 'class="comment"',
    "comments-filter-no-match": 'class="empty-state"',
    "comments-empty": 'class="empty-state"',
    "report-done": 'class="confirmation"',
    "report-error": 'id="error-summary"',
    "api-docs": 'class="tally api-table"',
    "receipt": 'class="confirmation"',
    "consultation-report-earlier": 'class="said-did ',
    "search-results": 'class="result ',
    "search-no-results": 'class="empty-state"',
    "search-error": 'id="q_error"',
    "subscribe-chapter": '" selected',  # the chapter asked for is chosen (raw or DOM)
    "subscribe-error": 'id="error-summary"',
    "subscribe-confirm": 'method="post"',
    "unsubscribe": 'method="post"',
    "edition-chapter": 'class="banner banner--old"',
    "chapter-history": "<ins>",
    "chapter-history-new-chapter": 'class="empty-state"',
    "compare-nothing-changed": 'class="empty-state"',
    "compare-new-chapter": 'class="tag tag--added"',
    # before anything is published (EMPTY_PAGES)
    "front-empty": 'class="empty-state"',
    "editions-empty": 'class="empty-state"',
    "compare-empty": 'class="empty-state"',
    "consultation-report-empty": 'class="empty-state"',
}

# The states of a site where nothing is published yet: name -> (path, HTTP status).
EMPTY_PAGES = {
    "front-empty": ("/", 200),
    "editions-empty": ("/versjoner/", 200),
    "compare-empty": ("/endringer/", 200),
    "consultation-report-empty": ("/horing/rapport/", 200),
}
