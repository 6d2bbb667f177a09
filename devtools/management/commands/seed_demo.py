"""Bulk demo data for benchmarks and manual testing.

Starts from the real guide (loading content/ if the database is empty), adds demo
sections until there are --sections, publishes editions until there are --editions,
and adds --comments published comments spread over the sections. Everything it adds is
marked as demo data: headings start with "Demo:", comment authors are "Demo-bruker N".
Bulk writes throughout; history rows are written for every row it creates.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from comments.anchoring import locate
from comments.models import AnchorState, Comment, Outcome, Status
from core.commands import DryRunCommand
from core.markdown import html_text, render
from guide.models import Chapter, ChapterKind, Edition, EditionSection, Section
from guide.services import RoundRequest
from publishing.services import edition_publish

BATCH = 5000

OPENINGS = [
    "Jeg savner",
    "Det bør stå tydeligere",
    "Vi i kommunen har erfart",
    "Fint at veilederen tar opp",
    "Her er det uklart",
    "Kunne dere gi et eksempel på",
    "Vi er uenige i",
    "Det mangler noe om",
]
TOPICS = [
    "hvordan vi skal arkivere meldinger fra Facebook",
    "hvem som har ansvar for å svare utenom kontortid",
    "personvernet til innbyggere som skriver til oss",
    "hvordan små kommuner kan prioritere ressursene",
    "forholdet til forvaltningsloven når noen ber om veiledning",
    "universell utforming av video og bilder",
    "når det er riktig å avslutte en kanal",
    "klarspråk og bruk av nynorsk",
]
ENDINGS = [
    "Det ville hjulpet oss mye.",
    "Gjerne med en sjekkliste.",
    "Dette er viktig for mindre virksomheter.",
    "Se gjerne hvordan andre land har løst det.",
    "",
]


class Command(DryRunCommand):
    help = (
        "Add realistic demo data in bulk (sections, editions, published comments) for "
        "benchmarks and manual testing. Loads content/ first if the database is empty."
    )
    dry_run_help = "Say what would be added; add nothing."

    def add_arguments(self, parser):
        parser.add_argument("--sections", type=int, default=50, help="Sections in the guide.")
        parser.add_argument("--comments", type=int, default=1000, help="Published comments.")
        parser.add_argument("--editions", type=int, default=3, help="Editions in all.")
        parser.add_argument("--seed", type=int, default=2010, help="Random seed.")
        super().add_arguments(parser)

    def handle(self, *args, sections, comments, editions, seed, dry_run, **options):
        if min(sections, comments, editions) < 0 or editions < 1:
            raise CommandError("--sections and --comments must be 0 or more, --editions 1 or more.")
        started = time.monotonic()
        if not Chapter.objects.exists():
            if dry_run:
                self.stdout.write("Would load content/ first (the database is empty).")
                return
            call_command("load_guide", stdout=self.stdout)
        have_sections = Section.objects.active().count()
        have_editions = Edition.objects.count()
        have_comments = Comment.objects.published().count()
        plan = (
            f"{max(0, sections - have_sections)} sections, "
            f"{max(0, editions - have_editions)} editions, "
            f"{max(0, comments - have_comments)} published comments"
        )
        if dry_run:
            self.stdout.write(f"Would add {plan}. Nothing added (--dry-run).")
            return
        rng = random.Random(seed)
        with transaction.atomic():
            self._add_sections(sections - have_sections, rng)
        for _ in range(editions - have_editions):
            with transaction.atomic():
                self._publish_next(rng)
        self._add_comments(comments - have_comments, rng)
        with connection.cursor() as cursor:
            # Fresh statistics after a bulk load, so the planner picks the right indexes.
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Added {plan} in {time.monotonic() - started:.1f} s.")
        )

    def _add_sections(self, count: int, rng: random.Random) -> None:
        if count <= 0:
            return
        chapters = list(Chapter.objects.active().filter(kind=ChapterKind.CHAPTER))
        texts = list(Section.objects.values_list("body", flat=True))
        new = []
        for n in range(count):
            chapter = chapters[n % len(chapters)]
            new.append(
                Section(
                    chapter=chapter,
                    slug=f"demo-{n + 1}",
                    heading=f"Demo: del {n + 1}",
                    order=1000 + n,
                    body=rng.choice(texts),
                )
            )
        for section in new:
            section.body_html = render(section.body)  # as save() would
        bulk_create_with_history(
            new, Section, batch_size=BATCH, default_change_reason="Demodata (seed_demo)"
        )

    def _publish_next(self, rng: random.Random) -> None:
        current = Edition.objects.current()
        major, minor = (current.number.split(".") + ["0"])[:2] if current else ("0", "0")
        number = f"{major}.{int(minor) + 1}"
        for section in rng.sample(list(Section.objects.active()), k=3):
            section.body += "\n\nDemo: et avsnitt lagt til i versjon " + number + "."
            section._change_reason = f"Demodata for versjon {number}"
            section.save()
        now = timezone.now()
        edition_publish(
            number=number,
            title=f"Demoversjon {number}",
            summary="Demodata laget av seed_demo.",
            consultation=RoundRequest(now - timedelta(days=1), now + timedelta(days=90)),
        )

    def _add_comments(self, count: int, rng: random.Random) -> None:
        if count <= 0:
            return
        current = Edition.objects.current()
        targets = list(EditionSection.objects.filter(edition=current))
        texts = {s.pk: html_text(s.body_html) for s in targets}
        now = timezone.now()
        outcomes = [Outcome.OPEN] * 6 + [Outcome.ACCEPTED, Outcome.NOTED, Outcome.DECLINED]
        made = 0
        while made < count:
            batch = []
            for _ in range(min(BATCH, count - made)):
                made += 1
                target = rng.choice(targets)
                body = " ".join(
                    filter(
                        None, [rng.choice(OPENINGS), rng.choice(TOPICS) + ".", rng.choice(ENDINGS)]
                    )
                )
                quote = ""
                text = texts[target.pk]
                if rng.random() < 0.3 and len(text) > 80:
                    start = rng.randrange(0, len(text) - 60)
                    quote = " ".join(text[start : start + 50].split()[1:-1])
                anchor = locate(text, quote) if quote else None
                created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
                batch.append(
                    Comment(
                        section_id=target.section_id,
                        edition_section=target,
                        name=f"Demo-bruker {made}",
                        body=body,
                        quote=quote,
                        language="nb",
                        created_at=created,
                        status=Status.PUBLISHED,
                        published_at=created,
                        outcome=rng.choice(outcomes),
                        anchor_edition_id=target.text_since_id,
                        anchor_state=anchor.state if anchor else AnchorState.NONE,
                        anchor_start=anchor.start if anchor else None,
                        anchor_end=anchor.end if anchor else None,
                        quote_prefix=anchor.prefix if anchor else "",
                        quote_suffix=anchor.suffix if anchor else "",
                    )
                )
            with transaction.atomic():
                bulk_create_with_history(
                    batch, Comment, batch_size=BATCH, default_change_reason="Demodata (seed_demo)"
                )
            self.stdout.write(f"  {made} of {count} comments")
