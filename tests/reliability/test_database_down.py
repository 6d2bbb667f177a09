"""The database going away under a running app: every page answers 503 with Retry-After
and the site's own short page (never a 500), /healthz says so, and once the database is
back the same processes serve 200 again, without a restart.

The app reaches PostgreSQL through a proxy the test can cut (tests/reliability/
servers.py, TcpProxy), so the shared server is never stopped. PostgreSQL only: SQLite
is a file, not a server that can go away.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from .servers import (
    Gunicorn,
    TcpProxy,
    app_env,
    get,
    needs_postgres_and_redis,
    running,
)

pytestmark = [pytest.mark.reliability, needs_postgres_and_redis]


@pytest.fixture(scope="module")
def app(collected_static, databases, module_dir):
    database = databases.create("database_down", postgres=True)
    parts = urlsplit(database.url)
    proxy = TcpProxy(parts.port or 5432)
    through_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    env = app_env(through_proxy)
    try:
        with running(Gunicorn("database-down", env, module_dir)) as (server,):
            yield server, database, proxy
    finally:
        proxy.close()


def test_pages_answer_503_while_the_database_is_away_and_200_when_it_is_back(app):
    server, database, proxy = app
    chapter_path, section_path = database.first_section_path()
    pages = ["/", "/veileder/", chapter_path, section_path, "/kommentarer/", "/versjoner/"]
    for path in pages * 2:  # the second time, the cached ones from the page cache
        assert get(server.port, path).status == 200, path

    proxy.cut()
    for path in pages:
        response = get(server.port, path)
        assert response.status == 503, f"{path}: {response.status} {response.text[:500]}"
        assert response.header("Retry-After") == "30", path
        assert "midlertidig utilgjengelig" in response.text, path
    assert get(server.port, "/healthz").status == 503

    proxy.restore()
    deadline = time.monotonic() + 20
    statuses = {}
    while time.monotonic() < deadline:
        statuses = {path: get(server.port, path).status for path in pages}
        if set(statuses.values()) == {200}:
            break
        time.sleep(0.5)
    assert set(statuses.values()) == {200}, statuses
    assert get(server.port, "/healthz").status == 200
    assert "Internal Server Error" not in server.log()
