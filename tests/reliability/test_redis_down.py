"""Redis stopped under a running app: pages are still served and comments still accepted,
rate limits hold exactly (they are decided from the database), a comment withheld while
Redis was down is never served again once it is back, and warnings are logged.

The app gets a redis-server of its own on a free port (the shared one is never stopped),
which the test shuts down the way an operator would (`redis-cli shutdown nosave`) and
then starts again on the same port. Runs on PostgreSQL when DATABASE_URL points there,
else on SQLite.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.cache import DOWN_SECONDS

from .servers import (
    REQUEST_SECONDS,
    Gunicorn,
    RedisServer,
    admin_login,
    app_env,
    base_env,
    get,
    manage,
    new_client,
    post_comment,
    post_form,
    postgres_url,
    running,
    server_errors,
)

pytestmark = pytest.mark.reliability


RATE_LIMIT = 4  # comments per minute and client, with or without Redis
WORKERS = 2
SLOW_SECONDS = 5.0
ADMIN = ("redis-moderator", "et-langt-passord-for-redis-testen")
PAGE_WARNING = "Shared cache unavailable"


@pytest.fixture(scope="module")
def app(collected_static, databases, module_dir):
    database = databases.create("redis_down", postgres=postgres_url() is not None)
    # A second edition with a changed section, so that the pages comparing editions
    # (which cache their diffs) have something to do.
    database.query(
        "UPDATE guide_section SET body = body || %s, body_html = body_html || %s "
        "WHERE id = (SELECT MIN(id) FROM guide_section)",
        ("\n\nEt nytt avsnitt i andre versjon.", "<p>Et nytt avsnitt i andre versjon.</p>"),
    )
    now = datetime.now(UTC)
    manage(
        base_env(database.url),
        "shell",
        "-c",
        "from accounts.models import User; "
        f"User.objects.create_superuser({ADMIN[0]!r}, 'redis@example.no', {ADMIN[1]!r})",
    )
    manage(
        base_env(database.url),
        "publish_edition",
        "--number=1.0",
        "--title=Andre versjon",
        "--summary=Et nytt avsnitt.",
        f"--comments-open={(now - timedelta(days=1)).isoformat(timespec='minutes')}",
        f"--comments-close={(now + timedelta(days=60)).isoformat(timespec='minutes')}",
    )
    redis = RedisServer(module_dir).start()
    env = app_env(
        database.url,
        redis_url=redis.url,
        rate_limit=f"{RATE_LIMIT}/m",
        trusted_proxies=1,
        GUNICORN_WORKERS=str(WORKERS),
    )
    try:
        with running(Gunicorn("redis-down", env, module_dir)) as (server,):
            yield server, database, redis
    finally:
        redis.stop()


def _login(server: Gunicorn) -> dict[str, str]:
    return admin_login(server, *ADMIN)


def _pages(chapter_path: str, section_path: str) -> list[str]:
    return [
        "/",
        "/veileder/",
        chapter_path,
        section_path,
        "/eksempler/",
        "/versjoner/",
        "/versjoner/1.0/",
        "/versjoner/0.9/",
        "/endringer/",
        "/endringer/?fra=0.9&til=1.0",
        "/kommentarer/",
        "/horing/",
        "/horing/rapport/",
        "/sok/?q=sosiale",
        "/feed/versjoner/",
        "/api/v1/comments/",
        "/personvern/",
    ]


def _serve_all(port: int, paths: list[str], when: str) -> list[str]:
    problems = []
    for path in paths:
        try:
            response = get(port, path, timeout=REQUEST_SECONDS)
        except OSError as error:
            problems.append(f"{when}: GET {path} failed: {error.__class__.__name__}: {error}")
            continue
        if response.status != 200:
            problems.append(f"{when}: GET {path} answered {response.status}")
        elif response.seconds > SLOW_SECONDS:
            problems.append(f"{when}: GET {path} took {response.seconds:.1f} s")
    return problems


@pytest.mark.reliability
def test_pages_and_comments_survive_redis_stopping(app):
    server, database, redis = app
    chapter_path, section_path = database.first_section_path()
    pages = _pages(chapter_path, section_path)
    marker = f"rel-{uuid.uuid4().hex[:12]}"

    # With Redis up, every page answers (twice: the second from the page cache).
    baseline = _serve_all(server.port, pages, "Redis up") + _serve_all(
        server.port, pages, "Redis up, cached"
    )
    assert not baseline, "\n".join(baseline)

    # A published comment, on pages that every worker has cached.
    cookies = _login(server)
    withheld = f"tilbakeholdt-{uuid.uuid4().hex[:12]}"
    assert (
        post_comment(
            server.port,
            section_path,
            f"Kommentar {withheld} som holdes tilbake.",
            client=new_client(),
        ).status
        == 302
    )
    ((pk,),) = database.query(
        "SELECT id FROM comments_comment WHERE body LIKE %s", (f"%{withheld}%",)
    )
    post_form(
        server.port,
        "/admin/comments/comment/",
        {"action": "publish_selected", "_selected_action": str(pk), "index": "0"},
        cookies=cookies,
    )
    shown = [get(server.port, p).text for p in [section_path, "/kommentarer/"] * 10]
    assert all(withheld in text for text in shown), "the published comment is not shown"

    redis.shutdown()
    assert not redis.ping(), "redis-server still answers after `shutdown nosave`"

    # While Redis is down, a moderator withholds the comment in the admin.
    withhold = post_form(
        server.port,
        f"/admin/comments/comment/{pk}/change/",
        {
            "status": "withheld",
            "withheld_reason": "personal_data",
            "draft_outcome": "open",
            "draft_explanation": "",
            "draft_response": "",
        },
        cookies=cookies,
    )
    if withhold.status != 302:
        problems_before = [f"withholding with Redis down answered {withhold.status}"]
    else:
        problems_before = []
    problems = problems_before + _serve_all(server.port, pages, "Redis stopped")

    # One client sends comments in a row: the limit, decided from the database, holds
    # exactly as with Redis up, across both workers.
    client = new_client()
    statuses = []
    for number in range(3 * RATE_LIMIT):
        text = f"Kommentar {marker} nummer {number:02d} mens Redis er nede."
        try:
            statuses.append(post_comment(server.port, section_path, text, client=client).status)
        except OSError as error:
            statuses.append(f"{error.__class__.__name__}: {error}")
    accepted = statuses.count(302)
    if not statuses or statuses[0] != 302:
        problems.append(f"Redis stopped: the first comment was not accepted: {statuses}")
    if 429 not in statuses:
        problems.append(f"Redis stopped: no rate limit at all: {statuses}")
    if accepted != RATE_LIMIT:
        problems.append(
            f"Redis stopped: {accepted} comments accepted from one client in a minute, "
            f"not the limit of {RATE_LIMIT}: {statuses}"
        )
    if unexpected := [s for s in statuses if s not in (302, 429)]:
        problems.append(f"Redis stopped: comment POSTs answered {unexpected}")
    stored = len(database.comment_bodies(marker))
    if stored != accepted:
        problems.append(f"Redis stopped: {accepted} comments accepted but {stored} stored")

    health = get(server.port, "/healthz")
    try:
        report = json.loads(health.body)
    except ValueError:
        report = {}
    if report.get("database") != "ok" or report.get("cache") == "ok":
        problems.append(
            f"Redis stopped: /healthz should report the database ok and the cache not: "
            f"{health.status} {health.text[:200]}"
        )

    log = server.log()
    if PAGE_WARNING not in log:
        problems.append(f"Redis stopped: no warning {PAGE_WARNING!r} in the log")
    if errors := server_errors(log):
        problems.append(f"Redis stopped: server errors in {server.log_path}:\n{errors[:8000]}")

    # Redis back on the same port: the app uses it again without a restart, once each
    # process's short back-off after the failure (core.cache.DOWN_SECONDS) has passed.
    redis.start()
    time.sleep(DOWN_SECONDS + 1)
    problems += _serve_all(server.port, ["/healthz"] + pages, "Redis back")
    for path in [section_path, "/kommentarer/", f"/kommentarer/{pk}/"]:
        for _ in range(12):
            if withheld in get(server.port, path).text:
                problems.append(f"Redis back: {path} shows the comment withheld while down")
                break
    response = post_comment(
        server.port,
        section_path,
        f"Kommentar {marker} etter at Redis er tilbake.",
        client=new_client(),
    )
    if response.status != 302:
        problems.append(f"Redis back: a comment POST answered {response.status}")

    assert not problems, "\n".join(problems)
