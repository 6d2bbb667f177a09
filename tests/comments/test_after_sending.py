"""Commenting polish (issue 14): failed forms land at their error summary, the section
page tells the sender their comment waits for review, and reports carry a reason."""

from __future__ import annotations

import re

from django.core import signing

from comments.models import Comment, Report, ReportReason
from comments.receipts import SENT_SALT
from comments.services import comment_publish
from tests.factories import VALID, make_comment

URL = "/veileder/ta-stilling/del-1/"


def test_the_comment_form_posts_to_its_error_summary(open_guide, client):
    html = client.get(URL).content.decode()
    assert f'action="{URL}#error-summary"' in html
    failed = client.post(URL, {**VALID, "body": "Kort"})
    assert failed.status_code == 400
    assert 'id="error-summary"' in failed.content.decode()


def _sent_link(client, response) -> str:
    receipt = client.get(response["Location"]).content.decode()
    found = re.search(r'href="(/veileder/ta-stilling/del-1/\?sendt=[^"#]+)#kommentarer"', receipt)
    assert found, "the receipt does not link back to the section with the sent marker"
    return found.group(1).replace("&amp;", "&")


def test_the_section_page_tells_the_sender_their_comment_waits(open_guide, client):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    link = _sent_link(client, response)
    page = client.get(link)
    html = page.content.decode()
    assert "Kommentaren din venter på gjennomgang." in html
    assert "Bli den første" not in html
    # Nothing about the sender may be kept by a shared cache.
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html
    assert VALID["email"] not in html and VALID["body"] not in html
    # The plain section page says nothing of it.
    assert "venter på gjennomgang" not in client.get(URL).content.decode()
    # Once published, the comment itself is shown and the note goes away.
    comment_publish(comment=Comment.objects.get())
    html = client.get(link).content.decode()
    assert "venter på gjennomgang" not in html and VALID["body"] in html


def test_a_forged_or_foreign_sent_marker_shows_nothing(open_guide, client):
    other = make_comment(open_guide["edition"], published=False)
    forged = signing.dumps(other.pk, salt="something else")
    assert "venter på gjennomgang" not in client.get(f"{URL}?sendt={forged}").content.decode()
    on_other_section = make_comment(
        open_guide["edition"],
        published=False,
        edition_section=open_guide["edition"].sections.exclude(section_id=other.section_id)[0],
    )
    token = signing.dumps(on_other_section.pk, salt=SENT_SALT)
    assert "venter på gjennomgang" not in client.get(f"{URL}?sendt={token}").content.decode()


def test_reporting_asks_for_a_reason_and_stores_it(open_guide, client):
    comment = make_comment(open_guide["edition"], body="En kommentar som rapporteres.")
    url = f"/kommentarer/{comment.pk}/rapporter/"
    form = client.get(url).content.decode()
    for value in ReportReason.values:
        assert f'type="radio" name="reason" value="{value}"' in form
    assert f'action="{url}#error-summary"' in form
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert 'id="error-summary"' in missing.content.decode()
    assert Report.objects.count() == 0
    assert client.post(url, {"reason": "personal_data"}).status_code == 200
    assert Report.objects.get().reason == ReportReason.PERSONAL_DATA
    assert client.post(url, {"reason": "nonsense"}, REMOTE_ADDR="10.9.9.9").status_code == 400
