"""Browser tests: Chromium through Playwright against pytest-django's live server.

Run them with `pytest tests/browser` (or `-m browser`). They need the Debian Chromium
at /usr/bin/chromium; `playwright install` is not used.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.browser.helpers import VIEWPORT

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
LOCALE = "nb-NO"

BROWSER_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = BROWSER_DIR.parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder (and below) that drives Chromium as a browser test
    (test_html_validity.py needs Java but no browser)."""
    for item in items:
        in_folder = BROWSER_DIR in Path(str(item.path)).resolve().parents
        if in_folder and "browser" in getattr(item, "fixturenames", ()):
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
    from publishing.services import edition_publish

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


@pytest.fixture(autouse=True)
def _forms_sent_at_browser_speed(settings):
    """Playwright fills and sends a form faster than any person; the anti-spam check on
    form timing (comments/forms.py) is tested on its own, not in every journey."""
    settings.COMMENT_MIN_SECONDS = 0


# --- one data set and one live server for a whole module ------------------------------


@pytest.fixture(scope="session")
def _site_server(django_db_setup, django_db_blocker):
    """A live server of our own, started once. It is not pytest-django's `live_server`:
    a test that uses that one gets a database flushed after each test, and the
    `site` data set below is built once per module instead."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        # pytest-django sets up only the databases the collected tests ask for by its own
        # fixtures and marks; a browser module run alone asks for none, and the server
        # would then serve, and `site` flush, the developer's database.
        own = None
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            own = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        server = LiveServer("localhost")
    yield server
    server.stop()
    if own is not None:
        with django_db_blocker.unblock():
            teardown_databases(own, verbosity=0)


def _flush_database():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def site(_site_server, django_db_blocker):
    """`sitedata.build_site()` once for the module, served by a live server: every public
    page and state, in any language. Returns the `Site` with `base_url` set.

    Tests that use it must not change what the pages show (or must undo it). The database
    is emptied before and after the module; tests that use pytest-django's own database
    fixtures run before these (pytest-django orders them first) and are not affected.
    """
    from tests.browser.sitedata import build_site

    with django_db_blocker.unblock():
        _flush_database()
        data = build_site()
        data.base_url = _site_server.url
        _site_server._live_server_modified_settings.enable()
        try:
            yield data
        finally:
            _site_server._live_server_modified_settings.disable()
            _flush_database()


@pytest.fixture
def language_page(new_context, site):
    """Factory: a new page whose interface language is `language` (the cookie the
    language switcher sets), optionally in a context with other options."""
    from django.conf import settings

    def make(language: str, **options):
        context = new_context(**options)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.base_url}]
        )
        return context.new_page()

    return make


@pytest.fixture(scope="module")
def empty_site(_site_server, django_db_blocker):
    """The live server over an empty database: nothing published yet."""
    from tests.browser.sitedata import Site

    with django_db_blocker.unblock():
        _flush_database()
        _site_server._live_server_modified_settings.enable()
        try:
            yield Site(base_url=_site_server.url)
        finally:
            _site_server._live_server_modified_settings.disable()
            _flush_database()


@pytest.fixture(scope="module")
def site_pages(browser, _site_server):
    """One page per interface language, kept for the whole module (a new browser context
    costs more than a page visit). Tests reset what they change (viewport, text size)."""
    from django.conf import settings

    from tests.browser.sitedata import LANGUAGES

    contexts, pages = [], {}
    for language in LANGUAGES:
        context = browser.new_context(viewport=VIEWPORT, locale=LOCALE)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": _site_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        # Pages are cached by the browser for a minute, and these pages are reused: the
        # tests must see what the server sends now (e.g. the empty state of a list).
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        pages[language] = page
    yield pages
    for context in contexts:
        context.close()
