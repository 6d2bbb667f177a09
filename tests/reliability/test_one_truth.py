"""What the public sees is what was decided, on every worker and instance.

Two deployments, each driven over HTTP with warm caches on every worker:
- the default one: one gunicorn with 2 workers on SQLite, without Redis;
- the large one: two gunicorn instances (2 workers each) sharing PostgreSQL and Redis.
In each, after (a) publishing an edition through the admin, (b) through
`manage.py publish_edition`, (c) withholding a published comment in the admin,
(d) recording an outcome in the admin and (e) erasing a commenter's name by command,
20 requests to every affected page, spread over the workers and instances, all show the
new state at once. Then 8 comments in a minute from one client, spread over the workers
and instances, store at most 5, and comments sent too fast or by a program store none.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from .servers import (
    Gunicorn,
    admin_login,
    app_env,
    base_env,
    forget_cached_pages,
    form_shown_token,
    get,
    manage,
    needs_postgres_and_redis,
    new_client,
    post_comment,
    post_form,
    running,
    server_errors,
    shared_redis_url,
)

pytestmark = pytest.mark.reliability

EDITOR = ("sannhet-redaktor", "et-langt-passord-for-sannheten")
REQUESTS = 20
LIMIT = "5/m,30/d"


def _deployment(kind: str, databases, module_dir):
    postgres = kind == "postgres-redis"
    database = databases.create(f"truth_{kind.replace('-', '_')}", postgres=postgres)
    manage(
        base_env(database.url),
        "shell",
        "-c",
        "from accounts.models import User; "
        f"User.objects.create_superuser({EDITOR[0]!r}, 'sannhet@example.no', {EDITOR[1]!r})",
    )
    if postgres:
        redis_url = shared_redis_url()
        forget_cached_pages(redis_url)
        env = app_env(database.url, redis_url=redis_url, rate_limit=LIMIT, trusted_proxies=1)
        servers = (Gunicorn(f"{kind}-a", env, module_dir), Gunicorn(f"{kind}-b", env, module_dir))
    else:
        env = app_env(database.url, rate_limit=LIMIT, trusted_proxies=1)
        servers = (Gunicorn(kind, env, module_dir),)
    return database, env, servers


@pytest.fixture(
    scope="module",
    params=[
        "sqlite-2-workers",
        pytest.param("postgres-redis", marks=needs_postgres_and_redis),
    ],
)
def deployment(request, collected_static, databases, module_dir):
    database, env, servers = _deployment(request.param, databases, module_dir)
    with running(*servers):
        yield database, env, servers


def _login(server: Gunicorn) -> dict[str, str]:
    return admin_login(server, *EDITOR)


def _spread(servers, paths: list[str]) -> dict[str, list[str]]:
    """REQUESTS requests to each path, in parallel over every server (and so over their
    workers): the bodies, per path."""
    jobs = [(path, servers[n % len(servers)].port) for path in paths for n in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda job: get(job[1], job[0]), jobs))
    bodies: dict[str, list[str]] = {path: [] for path in paths}
    for (path, _), answer in zip(jobs, answers, strict=True):
        bodies[path].append(f"{answer.status} {answer.text}")
    return bodies


def _all_show(servers, paths: list[str], *, present: str = "", absent: str = "") -> None:
    for path, bodies in _spread(servers, paths).items():
        if present:
            stale = [b[:3] for b in bodies if present not in b]
            assert not stale, f"{path}: {len(stale)} of {REQUESTS} lack {present!r}: {stale}"
        if absent:
            stale = [b[:3] for b in bodies if absent in b]
            assert not stale, f"{path}: {len(stale)} of {REQUESTS} still show {absent!r}"


def _published_comment(database, servers, section_path: str, marker: str) -> int:
    response = post_comment(
        servers[0].port,
        section_path,
        f"Kommentar {marker} som skal vises, og så ikke.",
        client=new_client(),
        email="skribent@example.no",
    )
    assert response.status == 302, response.status
    ((pk,),) = database.query(
        "SELECT id FROM comments_comment WHERE body LIKE %s", (f"%{marker}%",)
    )
    change = post_form(
        servers[-1].port,
        "/admin/comments/comment/",
        {"action": "publish_selected", "_selected_action": str(pk), "index": "0"},
        cookies=_login(servers[-1]),
    )
    assert change.status == 302, change.status
    return pk


def _change_comment(server: Gunicorn, pk: int, **fields: str) -> None:
    data = {
        "status": "published",
        "withheld_reason": "",
        "draft_outcome": "open",
        "draft_explanation": "",
        "draft_response": "",
        **fields,
    }
    response = post_form(
        server.port, f"/admin/comments/comment/{pk}/change/", data, cookies=_login(server)
    )
    assert response.status == 302, f"{response.status}: {response.text[:3000]}"


def test_every_worker_shows_what_was_decided_at_once(deployment):
    database, env, servers = deployment
    chapter_path, section_path = database.first_section_path()
    marker = f"sannhet-{uuid.uuid4().hex[:10]}"
    pk = _published_comment(database, servers, section_path, marker)
    comment_pages = [section_path, "/kommentarer/", f"/kommentarer/{pk}/"]
    # Warm: every worker has these pages cached. The chapter page counts the comment.
    _all_show(servers, comment_pages, present=marker)
    _all_show(servers, [chapter_path], present="(1 kommentar)")
    _all_show(servers, ["/veileder/", "/versjoner/"], absent="Versjon 1.0")

    # (a) an edition published through the admin, with a new chapter title.
    slug = chapter_path.strip("/").split("/")[-1]
    title_a = f"Tittel A {uuid.uuid4().hex[:10]}"
    database.query("UPDATE guide_chapter SET title = %s WHERE slug = %s", (title_a, slug))
    published = post_form(
        servers[0].port,
        "/admin/guide/edition/publish/",
        {
            "number": "1.0",
            "title": "Versjon 1.0",
            "summary": "Ny tittel.",
            "consultation": "keep",  # the running round carries over
            "confirm": "1",
        },
        cookies=_login(servers[0]),
    )
    assert published.status == 302, f"{published.status}: {published.text[:3000]}"
    _all_show(servers, [chapter_path, "/veileder/"], present=title_a)
    _all_show(servers, ["/versjoner/"], present="Versjon 1.0")

    # (b) an edition published by the command.
    title_b = f"Tittel B {uuid.uuid4().hex[:10]}"
    database.query("UPDATE guide_chapter SET title = %s WHERE slug = %s", (title_b, slug))
    utc = datetime.now(UTC)
    manage(
        env,
        "publish_edition",
        "--number=1.1",
        "--title=Versjon 1.1",
        f"--comments-open={(utc - timedelta(days=1)).isoformat(timespec='minutes')}",
        f"--comments-close={(utc + timedelta(days=60)).isoformat(timespec='minutes')}",
    )
    _all_show(servers, [chapter_path, "/veileder/"], present=title_b)
    _all_show(servers, ["/versjoner/"], present="Versjon 1.1")
    _all_show(servers, comment_pages, present=marker)

    # (d) an outcome recorded in the admin.
    explanation = f"Forklaring {marker}"
    _change_comment(
        servers[-1],
        pk,
        draft_outcome="accepted",
        draft_explanation=explanation,
        draft_response="Takk.",
    )
    # Saved as a draft: not public yet, on any worker.
    _all_show(servers, [f"/kommentarer/{pk}/"], absent=explanation)
    _change_comment(
        servers[0],
        pk,
        draft_outcome="accepted",
        draft_explanation=explanation,
        draft_response="Takk.",
        _publish_answer="1",
    )
    _all_show(servers, [section_path, "/kommentarer/", f"/kommentarer/{pk}/"], present=explanation)

    # (e) the commenter's name erased by command.
    name = "Pålitelighetstest"
    _all_show(servers, [f"/kommentarer/{pk}/"], present=name)
    manage(env, "erase_commenter", "--email=skribent@example.no")
    _all_show(servers, [section_path, "/kommentarer/", f"/kommentarer/{pk}/"], absent=name)

    # (c) the comment withheld in the admin.
    _change_comment(servers[0], pk, status="withheld", withheld_reason="personal_data")
    _all_show(servers, [section_path, "/kommentarer/"], absent=marker)
    _all_show(servers, [chapter_path], absent="(1 kommentar)")
    gone = [get(s.port, f"/kommentarer/{pk}/").status for s in servers for _ in range(10)]
    assert set(gone) == {404}, gone

    log = "".join(server.log() for server in servers)
    assert not server_errors(log), server_errors(log)


def test_rate_limits_and_anti_spam_hold_across_workers_and_instances(deployment):
    database, env, servers = deployment
    _, section_path = database.first_section_path()
    marker = f"grense-{uuid.uuid4().hex[:10]}"
    client = new_client()

    def send(number: int) -> int:
        server = servers[number % len(servers)]
        text = f"Kommentar {marker} nummer {number} om grensen."
        return post_comment(server.port, section_path, text, client=client).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, range(8)))
    stored = len(database.comment_bodies(marker))
    assert stored <= 5 and statuses.count(302) == stored, (stored, statuses)
    assert sorted(set(statuses)) == [302, 429], statuses

    fast = post_comment(
        servers[0].port,
        section_path,
        f"Kommentar {marker} sendt for fort.",
        client=new_client(),
        shown=form_shown_token(seconds_ago=1),
    )
    trap = post_comment(
        servers[-1].port,
        section_path,
        f"Kommentar {marker} fra et program.",
        client=new_client(),
        website="http://spam.example",
    )
    assert (fast.status, trap.status) == (400, 400)
    assert re.search("Vent noen sekunder", fast.text)
    assert len(database.comment_bodies(marker)) == stored


def test_an_old_etag_gets_the_new_page_after_a_change_and_a_restart(deployment):
    database, env, servers = deployment
    chapter_path, _ = database.first_section_path()
    before = get(servers[0].port, chapter_path)
    etag = before.header("ETag")
    assert before.status == 200 and etag
    assert get(servers[0].port, chapter_path, **{"If-None-Match": etag}).status == 304

    for server in servers:
        server.stop()
    slug = chapter_path.strip("/").split("/")[-1]
    title = f"Tittel etter omstart {uuid.uuid4().hex[:8]}"
    database.query("UPDATE guide_chapter SET title = %s WHERE slug = %s", (title, slug))
    manage(env, "publish_edition", "--number=5.0", "--title=Etter omstart")
    for server in servers:
        server.start()

    for server in servers:
        after = get(server.port, chapter_path, **{"If-None-Match": etag})
        assert after.status == 200, after.status
        assert title in after.text and after.header("ETag") != etag
