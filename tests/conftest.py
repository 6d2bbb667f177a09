"""The fixtures every folder shares, built from the factories in tests/factories.py.
Browser-only fixtures are in tests/browser/conftest.py, the reliability tests' in
tests/reliability/conftest.py (the servers they start in tests/reliability/servers.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from guide.models import ChapterKind
from publishing.services import edition_publish
from tests.factories import make_chapter, make_staff_user, on_commit_run, open_for_comments


@pytest.fixture(autouse=True)
def _plain_storage_and_mail(settings, tmp_path):
    # Files a test makes (the PDF of each published edition) go to its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SEND_MAIL_IN_BACKGROUND = False  # mail.outbox is checked right after a request
    settings.COMMENT_RATE_LIMIT = ((1000, 60),)  # tests of the limit set their own
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def guide(db):
    """Two chapters and one case study, published as edition 0.9."""
    first = make_chapter(slug="forord", title="Forord", sections=2)
    second = make_chapter(slug="ta-stilling", title="Ta stilling", sections=3)
    case = make_chapter(
        kind=ChapterKind.CASE,
        slug="lanekassa",
        title="Lånekassa",
        organisation="Lånekassa",
        channels="Facebook, Twitter",
        sections=2,
    )
    edition = edition_publish(number="0.9", title="Testversjon for høring", summary="Første.")
    return {"edition": edition, "chapters": [first, second], "case": case}


@pytest.fixture
def open_guide(guide):
    """The guide fixture with edition 0.9 open for comments."""
    open_for_comments(guide["edition"])
    return guide


@pytest.fixture(autouse=True)
def _requests_run_on_commit(monkeypatch):
    """Every test-client request runs the on-commit work it registered (receipts,
    notifications, the PDF) before it returns, as a committed request does in
    production, in every folder. The test's own transaction never commits, so without
    this that work would silently not happen."""
    request = Client.request

    def request_and_commit(self, **kwargs):
        with on_commit_run():
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", request_and_commit)


@pytest.fixture
def editor(db):
    return make_staff_user("redaktor", "Redaktør")


@pytest.fixture
def moderator(db):
    return make_staff_user("moderator", "Moderator")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty, working cache: cached pages must not leak between
    tests, nor a failure one test provoked on purpose."""
    from django.core.cache import cache

    import core.cache

    core.cache._down_until = 0.0
    core.cache._local_pages.clear()
    cache.clear()
    yield
    core.cache._down_until = 0.0
    core.cache._local_pages.clear()
    cache.clear()


def pytest_collection_modifyitems(config, items):
    """Reliability tests last: one restarts the shared PostgreSQL server, which would
    break the connection every later test in this process holds."""
    items.sort(key=lambda item: item.get_closest_marker("reliability") is not None)
