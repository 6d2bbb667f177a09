"""Redis stopped under a running app: pages are still served and comments still accepted,
rate limiting falls back to a stricter per-process limit, and warnings are logged.

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

from guide.cache import DOWN_SECONDS

from .conftest import (
    REQUEST_SECONDS,
    Gunicorn,
    RedisServer,
    app_env,
    base_env,
    get,
    manage,
    new_client,
    post_comment,
    postgres_url,
    running,
    server_errors,
    wait_for_fresh_window,
)

pytestmark = pytest.mark.reliability


RATE_LIMIT = 4  # comments per minute and client while Redis is up
WORKERS = 2
FALLBACK_MOST = WORKERS * max(1, RATE_LIMIT // 2)  # half the limit in each process
SLOW_SECONDS = 5.0
RATE_WARNING = "Rate limits use a stricter per-process limit"
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

    redis.shutdown()
    assert not redis.ping(), "redis-server still answers after `shutdown nosave`"
    problems = _serve_all(server.port, pages, "Redis stopped")

    # One client sends comments in a row: the first is accepted, and the per-process
    # fallback (half the limit in each of the workers) stops it after a few.
    wait_for_fresh_window(10)
    client = new_client()
    statuses = []
    for number in range(3 * FALLBACK_MOST):
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
    if accepted > FALLBACK_MOST:
        problems.append(
            f"Redis stopped: {accepted} comments accepted from one client in a minute, "
            f"more than {WORKERS} workers × {RATE_LIMIT}//2: {statuses}"
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
    for warning in (RATE_WARNING, PAGE_WARNING):
        if warning not in log:
            problems.append(f"Redis stopped: no warning {warning!r} in the log")
    if errors := server_errors(log):
        problems.append(f"Redis stopped: server errors in {server.log_path}:\n{errors[:8000]}")

    # Redis back on the same port: the app uses it again without a restart, once each
    # process's short back-off after the failure (guide.cache.DOWN_SECONDS) has passed.
    redis.start()
    time.sleep(DOWN_SECONDS + 1)
    problems += _serve_all(server.port, ["/healthz"] + pages, "Redis back")
    warnings_before = server.log().count(RATE_WARNING)
    response = post_comment(
        server.port,
        section_path,
        f"Kommentar {marker} etter at Redis er tilbake.",
        client=new_client(),
    )
    if response.status != 302:
        problems.append(f"Redis back: a comment POST answered {response.status}")
    if server.log().count(RATE_WARNING) != warnings_before:
        problems.append("Redis back: the rate limit still falls back to the per-process counter")

    assert not problems, "\n".join(problems)
