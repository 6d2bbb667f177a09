"""Browser tests: Chromium through Playwright against pytest-django's live server.

Run them with `pytest tests/browser` (or `-m browser`). They need the Debian Chromium
at /usr/bin/chromium; `playwright install` is not used.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

# pytest-django's live_server runs in a thread while Playwright's sync API runs an event
# loop in this one; Django would otherwise refuse ORM calls from the test ("async unsafe").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
LOCALE = "nb-NO"

BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = BROWSER_DIR.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder (and below) as a browser test."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install it (Debian: apt-get install chromium); "
            "the browser tests do not use `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        driver.stop()


@pytest.fixture
def new_context(browser):
    """Factory for extra browser contexts (other viewport, no JavaScript), closed after."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", LOCALE)
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    context = new_context()
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def published_guide(transactional_db, live_server):
    """The real content loaded, 0.9 published, then 1.0 published so 0.9 is an old edition.

    Returns the live server's base URL.
    """
    from django.core.management import call_command

    from guide.models import Section
    from guide.services import edition_publish

    call_command("load_guide", stdout=io.StringIO())
    section = Section.objects.get(chapter__slug="ta-stilling", slug="formal")
    section.body += "\n\nEt nytt avsnitt lagt til i versjon 1.0."
    section._change_reason = "test"
    section.save()
    edition_publish(number="1.0", title="Versjon 1.0", summary="Oppdatert.")
    return live_server.url


@pytest.fixture
def screenshots_dir() -> Path:
    path = ARTIFACTS_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def open_guide(transactional_db, live_server):
    """The real content loaded and 0.9 published with its comment period open (from now,
    for the number of days in content/edition.md): the comment forms are shown.

    The comment rate limit lives in the (process-wide) cache; it is cleared so tests that
    submit comments do not count each other's. Returns the live server's base URL.
    """
    from django.core.cache import cache
    from django.core.management import call_command

    from guide.models import Edition

    call_command("load_guide", stdout=io.StringIO())
    edition = Edition.objects.current()
    assert edition is not None and edition.comment_period_state() == "open", (
        "load_guide should publish an edition open for comments"
    )
    cache.clear()
    yield live_server.url
    cache.clear()
