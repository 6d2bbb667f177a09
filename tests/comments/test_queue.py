"""The moderation queue opens on what needs a moderator: pending, then reported."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Report, Status
from comments.services import comment_publish, comment_report
from tests.factories import bulk_comments, make_comment, section_of

QUEUE = "/admin/comments/comment/"


def test_with_300_comments_the_queue_opens_on_pending_then_reported(open_guide, client, moderator):
    edition = open_guide["edition"]
    where = section_of(edition)
    old = timezone.now() - timedelta(days=30)
    published = bulk_comments(
        where, 285, status=Status.PUBLISHED, published_at=old, moderated_at=old, created_at=old
    )
    # Reported since the moderator last looked at them, or hidden after reports.
    reported = published[:3]
    for n, comment in enumerate(reported):
        Report.objects.create(comment=comment, client_hash=f"r{n}")
    hidden = published[3]
    Comment.objects.filter(pk=hidden.pk).update(hidden_by_reports=True)
    # Reported before the last decision: looked at already, so with the rest.
    looked_at = published[4]
    Report.objects.create(comment=looked_at, client_hash="x", created_at=old - timedelta(days=1))
    # The newest comments are the pending ones, as after a busy weekend.
    pending = [
        make_comment(edition, published=False, body=f"Ny kommentar nummer {n} her.")
        for n in range(15)
    ]

    client.force_login(moderator)
    page = client.get(QUEUE)
    rows = list(page.context["cl"].result_list)
    assert len(rows) == 50
    assert rows[0].pk == pending[0].pk and rows[0].status == Status.PENDING
    assert [r.pk for r in rows[:15]] == [c.pk for c in pending]  # newest last
    assert {r.pk for r in rows[15:19]} == {c.pk for c in [*reported, hidden]}
    assert looked_at.pk not in {r.pk for r in rows[:19]}
    assert all(r.status == Status.PUBLISHED for r in rows[19:])


def test_a_decision_moves_a_reported_comment_back_among_the_rest(open_guide, client, moderator):
    comment = make_comment(open_guide["edition"])
    others = [make_comment(open_guide["edition"]) for _ in range(2)]
    comment_report(comment=comment, client_hash="a")
    client.force_login(moderator)
    first = client.get(QUEUE).context["cl"].result_list[0]
    assert first.pk == comment.pk
    comment_publish(comment=comment, user=moderator)  # the moderator keeps it up
    rows = [c.pk for c in client.get(QUEUE).context["cl"].result_list]
    assert rows == [comment.pk, *(c.pk for c in others)]  # by age again
    assert rows.index(comment.pk) == 0  # oldest of the rest, not because it was reported


def test_the_change_form_shows_the_section_text_around_the_quote(open_guide, client, moderator):
    comment = make_comment(open_guide["edition"], quote="noe om formålet")
    client.force_login(moderator)
    page = client.get(f"{QUEUE}{comment.pk}/change/").content.decode()
    assert "Her står det <mark>noe om formålet</mark>." in page


def test_the_queue_shows_why_a_comment_was_reported(open_guide, client, moderator):
    comment = make_comment(open_guide["edition"], body="En kommentar noen reagerte på.")
    comment_report(comment=comment, client_hash="a" * 64, reason="spam")
    comment_report(comment=comment, client_hash="b" * 64, reason="offensive")
    client.force_login(moderator)
    html = client.get("/admin/comments/comment/").content.decode()
    assert "2 (" in html
    assert "Den er søppelpost eller reklame" in html
    assert "Den er krenkende, hatefull eller ulovlig" in html


def test_the_queue_the_digest_and_the_admin_index_agree_on_what_needs_attention(
    open_guide, client, moderator
):
    edition = open_guide["edition"]
    old = timezone.now() - timedelta(days=30)
    calm = make_comment(edition, body="Ingen har meldt denne.")
    reported = make_comment(edition, body="Meldt etter avgjørelsen.")
    Comment.objects.filter(pk__in=[calm.pk, reported.pk]).update(moderated_at=old)
    Report.objects.create(comment=reported, client_hash="r")
    hidden = make_comment(edition, body="Skjult etter meldinger.")
    Comment.objects.filter(pk=hidden.pk).update(hidden_by_reports=True)
    waiting = make_comment(edition, published=False, body="Venter på moderator.")

    assert set(Comment.objects.needs_attention()) == {reported, hidden, waiting}
    client.force_login(moderator)
    rows = list(client.get(QUEUE).context["cl"].result_list)
    assert {r.pk for r in rows[:3]} == {reported.pk, hidden.pk, waiting.pk}
    assert "3 kommentarer venter" in client.get("/admin/").content.decode()
    moderator.email = "moderator@example.no"
    moderator.save()
    call_command("moderation_digest")
    assert "3" in mail.outbox[0].subject
    assert "Meldt etter avgjørelsen." in mail.outbox[0].body
    assert "Ingen har meldt denne." not in mail.outbox[0].body
