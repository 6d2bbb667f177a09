"""The consultation round's banner in its other states (issue 14): axe finds nothing on
the pages that change with it, in bokmål, nynorsk and English. The open state is on
every page of test_public_pages.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.helpers import assert_no_axe_violations, visit

PATHS = ["/", "/veileder/ta-stilling/", "/veileder/ta-stilling/formal/", "/horing/rapport/"]


@pytest.mark.parametrize("state", ["closed", "upcoming"])
def test_round_banner_states_have_no_axe_violations(new_context, open_guide, state):
    from django.conf import settings
    from django.utils import timezone

    from guide.models import Edition

    edition = Edition.objects.current()
    now = timezone.now()
    if state == "closed":
        edition.comment_opens, edition.comment_closes = now - timedelta(days=90), now
    else:
        edition.comment_opens = now + timedelta(days=2)
        edition.comment_closes = now + timedelta(days=60)
    edition.save()  # the guide's content version moves with it (database triggers)

    for language in ("nb", "nn", "en"):
        context = new_context()
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": open_guide}]
        )
        page = context.new_page()
        for path in PATHS:
            visit(page, open_guide, path)
            assert page.locator(f".round--{state}").count() == 1, f"{language} {path}"
            if state == "closed":
                assert page.locator(".round a[href='/horing/rapport/']").count() == 1
            assert_no_axe_violations(page, f"{language} {path} ({state})")
        context.close()
