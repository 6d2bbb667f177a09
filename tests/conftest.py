"""Shared fixtures: small factories that build a guide and publish it."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import Group

from guide.models import Chapter, ChapterKind, Section
from publishing.services import edition_publish

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _plain_storage_and_mail(settings, tmp_path):
    # Files a test makes (the PDF of each published edition) go to its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SEND_MAIL_IN_BACKGROUND = False  # mail.outbox is checked right after a request
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_chapter(*, kind: str = ChapterKind.CHAPTER, sections: int = 2, **fields) -> Chapter:
    n = next(_counter)
    chapter = Chapter(
        kind=kind,
        slug=fields.pop("slug", f"kapittel-{n}"),
        title=fields.pop("title", f"Kapittel {n}"),
        order=fields.pop("order", n),
        intro=fields.pop("intro", "Innledning til kapittelet."),
        **fields,
    )
    chapter._change_reason = "Opprettet i test"
    chapter.save()
    for i in range(1, sections + 1):
        make_section(chapter, slug=f"del-{i}", heading=f"Del {i}", order=i)
    return chapter


def make_section(chapter: Chapter, **fields) -> Section:
    n = next(_counter)
    section = Section(
        chapter=chapter,
        slug=fields.pop("slug", f"del-{n}"),
        heading=fields.pop("heading", f"Del {n}"),
        order=fields.pop("order", n),
        body=fields.pop("body", f"Tekst i del {n}. Her står det noe om formålet."),
        **fields,
    )
    section._change_reason = "Opprettet i test"
    section.save()
    return section


def edit(obj, note: str = "Endret i test", **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._change_reason = note
    obj.save()
    return obj


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
def editor(db, django_user_model):
    user = django_user_model.objects.create_user(
        "redaktor", password="et-langt-passord-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Redaktør"))
    return user


@pytest.fixture
def moderator(db, django_user_model):
    user = django_user_model.objects.create_user(
        "moderator", password="et-langt-passord-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderator"))
    return user


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
