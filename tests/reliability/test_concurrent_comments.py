"""1,000 comments from 20 concurrent clients to a running gunicorn: every one stored
exactly once, no server errors. On SQLite (WAL, immediate transactions) always; on
PostgreSQL (with the shared Redis) when DATABASE_URL points there."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .servers import (
    NO_POSTGRES,
    Gunicorn,
    app_env,
    forget_cached_pages,
    post_comment,
    postgres_url,
    running,
    server_errors,
    shared_redis_url,
)

pytestmark = pytest.mark.reliability

COMMENTS = 1000
CLIENTS = 20
DEADLINE_SECONDS = 150  # for all 1,000: requests not started by then count as failed


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, collected_static, databases, module_dir):
    postgres = request.param == "postgresql"
    if postgres and postgres_url() is None:
        pytest.skip("the PostgreSQL variant " + NO_POSTGRES)
    database = databases.create("comments", postgres=postgres)
    redis_url = shared_redis_url() if postgres else None
    if redis_url:
        forget_cached_pages(redis_url)
    server = Gunicorn(request.param, app_env(database.url, redis_url=redis_url), module_dir)
    with running(server):
        yield server, database


@pytest.mark.reliability
def test_every_comment_from_concurrent_clients_is_stored_exactly_once(app):
    server, database = app
    _, section_path = database.first_section_path()
    marker = f"rel-{uuid.uuid4().hex[:12]}"
    deadline = time.monotonic() + DEADLINE_SECONDS

    def send(number: int) -> tuple[int, str]:
        if time.monotonic() > deadline:
            return number, "not sent: deadline passed"
        text = f"Kommentar {marker} nummer {number:04d} fra pålitelighetstesten."
        try:
            return number, str(post_comment(server.port, section_path, text).status)
        except OSError as error:  # refused, reset, timed out
            return number, f"{error.__class__.__name__}: {error}"

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = dict(pool.map(send, range(COMMENTS)))
    seconds = time.monotonic() - started

    statuses = Counter(outcomes.values())
    failed = {n: outcome for n, outcome in outcomes.items() if outcome != "302"}
    stored = Counter(
        int(match.group(1))
        for body in database.comment_bodies(marker)
        if (match := re.search(rf"{marker} nummer (\d+)", body))
    )
    missing = [n for n in range(COMMENTS) if stored[n] == 0]
    duplicated = {n: count for n, count in stored.items() if count > 1}
    log_errors = server_errors(server.log())

    report = (
        f"{COMMENTS} comments by {CLIENTS} clients to gunicorn on {server.name} in "
        f"{seconds:.1f} s ({COMMENTS / seconds:.0f}/s).\n"
        f"Responses: {dict(statuses)}; first failures: {dict(list(failed.items())[:5])}\n"
        f"Stored: {sum(stored.values())}; missing {len(missing)} (e.g. {missing[:10]}); "
        f"stored more than once: {len(duplicated)} (e.g. {dict(list(duplicated.items())[:5])})\n"
        f"gunicorn log from the first error ({server.log_path}):\n{log_errors[:6000]}"
    )
    print(report)  # shown with -s or -rA
    assert not failed, report
    assert not missing and not duplicated, report
    assert not log_errors, report
