"""The role matrix: every admin URL, for every role, with GET and POST.

The URLs come from the resolver, so a new admin URL (a model registered, a custom view,
a package's endpoint) fails `test_every_admin_url_has_an_expected_answer` until its
expected answers are written down here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.admin_permissions import HistoryAdmin
from comments.models import Comment
from guide.models import Chapter, Edition, EditionSection, Section
from guide.services import RoundRequest
from publishing.services import edition_publish
from tests.factories import edit, make_chapter, make_comment, section_form_data

ROLES = ["anonymous", "moderator", "editor", "superuser"]
METHODS = ["GET", "POST"]


def _routes(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def admin_routes() -> list[str]:
    """Every URL pattern of the admin and of the editors' endpoints outside it."""
    return [
        route
        for route in _routes(get_resolver().url_patterns)
        if route.startswith(("admin/", "markdownx/"))
    ]


# What each role gets, as (GET, POST) status codes, in the order of ROLES: anonymous,
# Moderator, Redaktør, superuser. POSTs send POST_DATA: a confirmation for delete views,
# an incomplete form everywhere else (200 with the form's errors where the role may
# save, 302 where the form has nothing required and saves).
LOGIN = (302, 302)  # anonymous: to the login page
REDIRECT = (302, 302)  # admin/<model>/<id>/ redirects to the change form
FORBIDDEN = (403, 403)
READ_ONLY = (200, 403)  # may look, may not save
ALLOWED = (200, 200)
SAVES = (200, 302)
GET_ONLY = (200, 405)
NOT_FOUND = (404, 404)
POST_DATA = {"post": "yes", "content": "# Hei"}

EXPECTED: dict[str, tuple[tuple[int, int], ...]] = {
    "admin/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/login/": (ALLOWED, (302, 200), (302, 200), (302, 200)),
    "admin/logout/": (LOGIN, (405, 200), (405, 200), (405, 200)),
    "admin/password_change/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/password_change/done/": (LOGIN, GET_ONLY, GET_ONLY, GET_ONLY),
    "admin/autocomplete/": (LOGIN, (403, 405), (403, 405), (403, 405)),
    "admin/jsi18n/": (LOGIN, GET_ONLY, GET_ONLY, GET_ONLY),
    "admin/r/<path:content_type_id>/<path:object_id>/": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "admin/auth/group/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/auth/group/add/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/auth/group/<path:object_id>/history/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/auth/group/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/auth/group/<path:object_id>/change/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/auth/group/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/axes/accessattempt/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accessattempt/add/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/axes/accessattempt/<path:object_id>/history/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accessattempt/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accessattempt/<path:object_id>/change/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accessattempt/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/axes/accesslog/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accesslog/add/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/axes/accesslog/<path:object_id>/history/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accesslog/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accesslog/<path:object_id>/change/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accesslog/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/axes/accessfailurelog/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accessfailurelog/add/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/axes/accessfailurelog/<path:object_id>/history/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/axes/accessfailurelog/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accessfailurelog/<path:object_id>/change/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/axes/accessfailurelog/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/accounts/user/<id>/password/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/accounts/user/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/accounts/user/add/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/accounts/user/<path:object_id>/history/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/accounts/user/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, SAVES),
    "admin/accounts/user/<path:object_id>/change/": (LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED),
    "admin/accounts/user/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/guide/chapter/<int:object_id>/preview/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/chapter/^([^/]+)/history/([^/]+)/$": (LOGIN, READ_ONLY, ALLOWED, ALLOWED),
    "admin/guide/chapter/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/chapter/add/": (LOGIN, FORBIDDEN, ALLOWED, ALLOWED),
    "admin/guide/chapter/<path:object_id>/history/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/chapter/<path:object_id>/delete/": (LOGIN, FORBIDDEN, ALLOWED, ALLOWED),
    "admin/guide/chapter/<path:object_id>/change/": (LOGIN, READ_ONLY, ALLOWED, ALLOWED),
    "admin/guide/chapter/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/guide/edition/publish/": (LOGIN, FORBIDDEN, ALLOWED, ALLOWED),
    "admin/guide/edition/^([^/]+)/history/([^/]+)/$": (LOGIN, READ_ONLY, SAVES, SAVES),
    "admin/guide/edition/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/edition/add/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/guide/edition/<path:object_id>/history/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/edition/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/guide/edition/<path:object_id>/change/": (LOGIN, READ_ONLY, SAVES, SAVES),
    "admin/guide/edition/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/comments/comment/^([^/]+)/history/([^/]+)/$": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/comments/comment/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/comments/comment/add/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/comments/comment/<path:object_id>/history/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/comments/comment/<path:object_id>/delete/": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "admin/comments/comment/<path:object_id>/change/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/comments/comment/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/guide/section/^([^/]+)/history/([^/]+)/$": (LOGIN, READ_ONLY, ALLOWED, ALLOWED),
    "admin/guide/section/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/section/add/": (LOGIN, FORBIDDEN, ALLOWED, ALLOWED),
    "admin/guide/section/<path:object_id>/history/": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/guide/section/<path:object_id>/delete/": (LOGIN, FORBIDDEN, ALLOWED, ALLOWED),
    "admin/guide/section/<path:object_id>/change/": (LOGIN, READ_ONLY, ALLOWED, ALLOWED),
    "admin/guide/section/<path:object_id>/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "admin/^(?P<app_label>auth|axes|accounts|guide|comments)/$": (LOGIN, ALLOWED, ALLOWED, ALLOWED),
    "admin/(?P<url>.*)$": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "markdownx/markdownify/": (FORBIDDEN, FORBIDDEN, (405, 200), (405, 200)),
    "markdownx/upload/": (FORBIDDEN, FORBIDDEN, (405, 400), (405, 400)),
}


MODELS = {
    "guide/chapter": Chapter,
    "guide/section": Section,
    "guide/edition": Edition,
    "comments/comment": Comment,
    "auth/group": Group,
    "accounts/user": None,  # the editor
    "axes/accessattempt": AccessAttempt,
    "axes/accesslog": AccessLog,
    "axes/accessfailurelog": AccessFailureLog,
}


@pytest.fixture
def objects(db, editor):
    """One object of every model the admin shows, with an older history record. Small:
    the matrix builds it for each of its several hundred cases."""
    chapter = make_chapter(slug="forord", title="Forord", sections=1)
    section = chapter.sections.get()
    now = timezone.now()
    edition = edition_publish(
        number="0.9",
        title="Testversjon",
        consultation=RoundRequest(now - timedelta(days=1), now + timedelta(days=60)),
    )
    edit(chapter, title="Forord, endret")
    edit(section, body="Endret tekst i delen.")
    edit(edition, note="Forlenget", comment_closes=now + timedelta(days=90))
    edition_section = EditionSection.objects.get(edition=edition, section=section)
    comment = make_comment(edition, edition_section=edition_section)
    now = timezone.now()
    attempt = AccessAttempt.objects.create(
        username="gjest", ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    log = AccessLog.objects.create(username="gjest", ip_address="192.0.2.1", attempt_time=now)
    failure = AccessFailureLog.objects.create(
        username="gjest", ip_address="192.0.2.1", attempt_time=now
    )
    return {
        "guide/chapter": chapter,
        "guide/section": section,
        "guide/edition": edition,
        "comments/comment": comment,
        "auth/group": Group.objects.get(name="Moderator"),
        "accounts/user": editor,
        "axes/accessattempt": attempt,
        "axes/accesslog": log,
        "axes/accessfailurelog": failure,
    }


def concrete(route: str, objects: dict) -> str:
    """A real URL for a route pattern, with the fixture's objects filled in."""
    if route == "admin/r/<path:content_type_id>/<path:object_id>/":
        chapter = objects["guide/chapter"]
        return f"/admin/r/{ContentType.objects.get_for_model(Chapter).pk}/{chapter.pk}/"
    if route.startswith("admin/^(?P<app_label>"):
        return "/admin/guide/"
    if route == "admin/(?P<url>.*)$":
        return "/admin/finnes/ikke/"
    match = re.match(r"admin/(\w+/\w+)/", route)
    if match and match.group(1) in objects:
        obj = objects[match.group(1)]
        oldest = obj.history.order_by("history_id").first() if hasattr(obj, "history") else None
        route = route.replace(
            "^([^/]+)/history/([^/]+)/$", f"{obj.pk}/history/{getattr(oldest, 'pk', 0)}/"
        )
        route = re.sub(r"<(?:\w+:)?(?:object_id|id)>", str(obj.pk), route)
    assert "<" not in route and "^" not in route, route
    return "/" + route


@pytest.fixture
def as_role(moderator, editor, django_user_model):
    def login(role: str) -> Client:
        client = Client()
        if role == "moderator":
            client.force_login(moderator)
        elif role == "editor":
            client.force_login(editor)
        elif role == "superuser":
            admin_user = django_user_model.objects.filter(username="admin").first()
            client.force_login(
                admin_user
                or django_user_model.objects.create_superuser("admin", "admin@example.no", "x" * 16)
            )
        return client

    return login


def test_every_admin_url_has_an_expected_answer():
    routes = admin_routes()
    assert len(routes) == len(set(routes))
    missing = sorted(set(routes) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(routes))
    assert missing == [], f"admin URLs without expected answers for every role: {missing}"
    assert stale == [], f"expected answers for admin URLs that no longer exist: {stale}"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(EXPECTED))
def test_role_matrix(route, role, method, objects, as_role):
    client = as_role(role)
    url = concrete(route, objects)
    response = client.get(url) if method == "GET" else client.post(url, POST_DATA)
    expected = EXPECTED[route][ROLES.index(role)][METHODS.index(method)]
    assert response.status_code == expected, (url, role, method)
    if expected == 302 and role == "anonymous" and route != "admin/logout/":
        assert response["Location"].startswith("/admin/login/"), response["Location"]


def test_every_model_with_history_needs_change_permission_to_revert():
    with_history = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model, "history")
    ]
    assert {model.__name__ for model, _ in with_history} >= {
        "Chapter",
        "Section",
        "Edition",
        "Comment",
    }
    for model, model_admin in with_history:
        assert isinstance(model_admin, HistoryAdmin), model


def _revert_data(obj, **changes) -> dict:
    if isinstance(obj, Section):
        return section_form_data(obj, "Tilbakestilt", **changes)
    if isinstance(obj, Chapter):
        data = {
            "kind": obj.kind,
            "title": obj.title,
            "slug": obj.slug,
            "order": obj.order,
            "is_active": "on",
            "intro": obj.intro,
            "sections-TOTAL_FORMS": 0,
            "sections-INITIAL_FORMS": 0,
            "sections-MIN_NUM_FORMS": 0,
            "sections-MAX_NUM_FORMS": 1000,
        }
    else:
        data = {"comment_opens": "", "comment_closes": ""}
    return {**data, "change_note": "Tilbakestilt", **changes}


@pytest.mark.parametrize(
    ("model_path", "field", "hostile"),
    [
        ("guide/section", "body", {"body": "Moderatoren skrev om teksten."}),
        ("guide/chapter", "title", {"title": "Moderatorens tittel"}),
        ("guide/edition", "comment_closes", {"comment_opens": "", "comment_closes": ""}),
    ],
)
def test_a_moderator_cannot_revert_the_guide_from_its_history(
    objects, as_role, model_path, field, hostile
):
    obj = objects[model_path]
    before = getattr(type(obj).objects.get(pk=obj.pk), field)
    records = obj.history.count()
    oldest = obj.history.order_by("history_id").first()
    url = f"/admin/{model_path}/{obj.pk}/history/{oldest.pk}/"
    response = as_role("moderator").post(url, _revert_data(obj, **hostile))
    assert response.status_code == 403
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == before
    assert obj.history.count() == records
    # The same form, from an editor, does revert: the refusal is about the role.
    response = as_role("editor").post(url, _revert_data(obj, **hostile))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert getattr(type(obj).objects.get(pk=obj.pk), field) != before


# The admin actions (bulk operations on a changelist) each role is offered, for every
# registered model. Django refuses an action that is not offered, so this is what each
# role can do in bulk; a new action fails the test until it is listed here. (Roles that
# cannot open a changelist at all get 403 there, whatever is offered.)
COMMENT_ACTIONS = {
    "export_selected",
    "mark_as_spam",
    "publish_answers",
    "publish_selected",
    "withhold_selected",
}
EXPECTED_ACTIONS: dict[str, dict[str, set[str]]] = {
    "auth.Group": {"moderator": set(), "editor": set(), "superuser": {"delete_selected"}},
    "accounts.User": {"moderator": set(), "editor": set(), "superuser": {"delete_selected"}},
    "axes.AccessAttempt": {
        "moderator": {"cleanup_expired_attempts"},  # its changelist answers them 403
        "editor": {"cleanup_expired_attempts"},
        "superuser": {"cleanup_expired_attempts", "delete_selected"},
    },
    "axes.AccessLog": {"moderator": set(), "editor": set(), "superuser": {"delete_selected"}},
    "axes.AccessFailureLog": {
        "moderator": set(),
        "editor": set(),
        "superuser": {"delete_selected"},
    },
    "guide.Chapter": {
        "moderator": set(),
        "editor": {"delete_selected"},
        "superuser": {"delete_selected"},
    },
    "guide.Section": {
        "moderator": set(),
        "editor": {"delete_selected"},
        "superuser": {"delete_selected"},
    },
    "guide.Edition": {"moderator": set(), "editor": set(), "superuser": set()},
    "comments.Comment": {
        "moderator": COMMENT_ACTIONS,
        "editor": COMMENT_ACTIONS,
        "superuser": COMMENT_ACTIONS,
    },
}


@pytest.mark.parametrize("role", ["moderator", "editor", "superuser"])
def test_every_admin_action_is_offered_only_to_the_expected_roles(
    db, role, moderator, editor, django_user_model
):
    from django.test import RequestFactory

    users = {
        "moderator": moderator,
        "editor": editor,
        "superuser": django_user_model.objects.create_superuser(
            "admin", "admin@example.no", "x" * 16
        ),
    }
    offered = {}
    for model, model_admin in admin.site._registry.items():
        request = RequestFactory().get("/admin/")
        request.user = users[role]
        offered[model._meta.label] = set(model_admin.get_actions(request))
    assert set(offered) == set(EXPECTED_ACTIONS), "a model registered without its actions"
    assert offered == {label: roles[role] for label, roles in EXPECTED_ACTIONS.items()}
