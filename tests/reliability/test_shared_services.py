"""Two app instances on different ports sharing PostgreSQL and Redis, as in production:
a rate limit reached through one holds on the other; an edition published through one is
served by the other at once; and PostgreSQL restarted under load (last in this module:
it restarts the shared server) is recovered from without restarting the app.

Runs only when DATABASE_URL points at PostgreSQL and REDIS_URL is set (CI's second run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from . import servers

pytestmark = [pytest.mark.reliability, servers.needs_postgres_and_redis]

RATE_LIMIT = 3  # comments per minute and client
EDITOR = ("reliability-editor", "et-langt-passord-for-pålitelighet")
PHASES = (
    "before",
    "in flight at the restart",
    "sent during the restart",
    "after, on A",
    "after, on B",
)
PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]


@pytest.fixture(scope="module")
def instances(collected_static, databases, module_dir):
    database = databases.create("shared", postgres=True)
    servers.manage(
        servers.base_env(database.url),
        "shell",
        "-c",
        "from accounts.models import User; "
        f"User.objects.create_superuser({EDITOR[0]!r}, 'redaktor@example.no', {EDITOR[1]!r})",
    )
    redis_url = servers.shared_redis_url()
    servers.forget_cached_pages(redis_url)
    env = servers.app_env(
        database.url,
        redis_url=redis_url,
        rate_limit=f"{RATE_LIMIT}/m",
        trusted_proxies=1,  # so each test (and each load client) is a client of its own
    )
    assert env["DJANGO_SECRET_KEY"] == servers.SECRET_KEY  # shared, as client hashes must agree
    with servers.running(
        servers.Gunicorn("a", env, module_dir), servers.Gunicorn("b", env, module_dir)
    ) as (a, b):
        yield a, b, database


@pytest.mark.reliability
def test_a_rate_limit_reached_through_one_instance_holds_on_the_other(instances):
    a, b, database = instances
    _, section_path = database.first_section_path()
    marker = f"rel-{uuid.uuid4().hex[:12]}"
    servers.wait_for_fresh_window(10)
    client = servers.new_client()

    def send(server: servers.Gunicorn, number: int, sender: str = client) -> int:
        text = f"Kommentar {marker} nummer {number} om grensen for innsending."
        return servers.post_comment(server.port, section_path, text, client=sender).status

    through_a = [send(a, n) for n in range(RATE_LIMIT)]
    assert through_a == [302] * RATE_LIMIT, f"the first {RATE_LIMIT} through A: {through_a}"
    then_b, then_a = send(b, RATE_LIMIT), send(a, RATE_LIMIT + 1)
    assert (then_b, then_a) == (429, 429), (
        f"after {RATE_LIMIT} comments through A, the next through B answered {then_b} "
        f"and through A {then_a} (429 expected: the limit is shared through Redis)"
    )
    other = send(b, 99, sender=servers.new_client())
    assert other == 302, f"another client through B answered {other}"
    assert len(database.comment_bodies(marker)) == RATE_LIMIT + 1
    assert not servers.server_errors(a.log() + b.log()), servers.server_errors(a.log() + b.log())


def _login(server: servers.Gunicorn) -> str:
    return servers.admin_login(server, *EDITOR)["sessionid"]


@pytest.mark.reliability
def test_an_edition_published_through_one_instance_is_served_by_the_other_at_once(instances):
    a, b, database = instances
    chapter_path, _ = database.first_section_path()
    slug = chapter_path.strip("/").split("/")[-1]
    (old_title,) = database.query("SELECT title FROM guide_chapter WHERE slug = %s", (slug,))[0]

    # B serves the chapter page, the second time from the shared page cache.
    first, second = servers.get(b.port, chapter_path), servers.get(b.port, chapter_path)
    assert first.status == second.status == 200
    assert old_title in second.text and first.header("ETag") == second.header("ETag")

    # An editor changes the working draft and publishes it through A's admin.
    new_title = f"Ny tittel {uuid.uuid4().hex[:8]}"
    database.query("UPDATE guide_chapter SET title = %s WHERE slug = %s", (new_title, slug))
    session = _login(a)
    published = servers.post_form(
        a.port,
        "/admin/guide/edition/publish/",
        {
            "number": "1.0",
            "title": "Versjon publisert gjennom instans A",
            "summary": "Ny tittel på et kapittel.",
            "consultation": "keep",  # the running round carries over
            "confirm": "1",
        },
        cookies={"sessionid": session},
    )
    assert published.status == 302, (
        f"publishing through A answered {published.status}: {published.text[:3000]}"
    )
    assert database.query("SELECT 1 FROM guide_edition WHERE number = '1.0'")

    # At once, with no wait: B serves the new edition.
    after = servers.get(b.port, chapter_path)
    assert after.status == 200
    assert new_title in after.text, (
        f"B still serves the old chapter page after 1.0 was published through A "
        f"(ETag before {second.header('ETag')}, after {after.header('ETag')})"
    )
    assert "1.0" in servers.get(b.port, "/versjoner/").text
    assert not servers.server_errors(a.log() + b.log()), servers.server_errors(a.log() + b.log())


# PostgreSQL restarted under load ---------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    number: int
    server: str
    started: float
    ended: float
    result: str  # the HTTP status, or the error
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.result == ("302" if self.kind == "post" else "200")


def _pg_isready(url: str) -> bool:
    parts = urlsplit(url)
    command = [
        "pg_isready",
        "-q",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
    ]
    return subprocess.run(command, timeout=10).returncode == 0


def _wait_for_postgres(url: str, seconds: float = 90) -> float:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _pg_isready(url):
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"PostgreSQL did not accept connections within {seconds} s")


def _restart_problem() -> str | None:
    url = servers.postgres_url() or ""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        return "PostgreSQL is not on this machine: it cannot be restarted from here"
    if not (shutil.which("pg_ctlcluster") and shutil.which("pg_isready")):
        return "pg_ctlcluster/pg_isready not found (Debian's postgresql-common)"
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, timeout=10)
    if not any(line.split()[:2] == ["15", "main"] for line in clusters.stdout.splitlines()):
        return "no PostgreSQL cluster 15/main to restart"
    return None


@pytest.mark.reliability
def test_the_app_recovers_from_a_postgresql_restart_without_being_restarted(instances):
    """Last in the module: it restarts the shared PostgreSQL server.

    Twenty clients load both instances; while PostgreSQL restarts, A stays under load and
    B idles with the persistent connections it opened before (CONN_MAX_AGE), which the
    restart breaks. Afterwards both must serve every request again, B included: a stale
    connection must be noticed (CONN_HEALTH_CHECKS), not fail the first request per thread.
    """
    if problem := _restart_problem():
        pytest.skip(problem)
    a, b, database = instances
    chapter_path, section_path = database.first_section_path()
    marker = f"rel-{uuid.uuid4().hex[:12]}"
    workers_before = {a.name: a.worker_pids(), b.name: b.worker_pids()}
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop, b_idle = threading.Event(), threading.Event()
    counter = iter(range(1_000_000))

    def load(thread: int) -> None:
        server = (a, b)[thread % 2]
        while not stop.is_set():
            if server is b and b_idle.is_set():
                time.sleep(0.05)
                continue
            with lock:
                number = next(counter)
            kind = ("section", "chapter", "post")[number % 3]
            started = time.monotonic()
            try:
                if kind == "post":
                    text = f"Kommentar {marker} nummer {number:06d} under omstart."
                    response = servers.post_comment(
                        server.port, section_path, text, client=servers.new_client()
                    )
                else:
                    response = servers.get(
                        server.port, section_path if kind == "section" else chapter_path
                    )
                result, body = str(response.status), response.text[:300]
            except OSError as error:
                result, body = f"{error.__class__.__name__}: {error}", ""
            with lock:
                outcomes.append(
                    Outcome(kind, number, server.name, started, time.monotonic(), result, body)
                )

    threads = [threading.Thread(target=load, args=(n,), daemon=True) for n in range(20)]
    for thread in threads:
        thread.start()
    restarted = None
    try:
        time.sleep(3)  # every worker thread of both holds a persistent connection by now
        b_idle.set()
        time.sleep(1)  # B's last requests finish
        began = time.monotonic()
        restarted = subprocess.run(PG_RESTART, capture_output=True, text=True, timeout=120)
        ready = _wait_for_postgres(servers.postgres_url())
        b_idle.clear()
        time.sleep(5)  # load goes on against the restarted server, on both instances
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        _wait_for_postgres(servers.postgres_url())
    assert restarted.returncode == 0, f"{PG_RESTART} failed: {restarted.stderr}"

    def phase(o: Outcome) -> str:
        if o.ended < began:
            return "before"
        if o.started > ready:
            return "after, on A" if o.server == a.name else "after, on B"
        return "in flight at the restart" if o.started < began else "sent during the restart"

    phases = {name: [o for o in outcomes if phase(o) == name] for name in PHASES}
    lines = [f"PostgreSQL restart took {ready - began:.1f} s (until pg_isready)."]
    for name, group in phases.items():
        failed = Counter(f"{o.kind} {o.result}" for o in group if not o.ok)
        lines.append(
            f"  {name}: {len(group)} requests, {sum(failed.values())} failed {dict(failed)}"
        )
    report = "\n".join(lines) + (
        f"\ngunicorn A log ({a.log_path}) from its first error:\n"
        f"{servers.server_errors(a.log())[:3000]}"
        f"\ngunicorn B log ({b.log_path}) from its first error:\n"
        f"{servers.server_errors(b.log())[:3000]}"
    )
    print(report)  # shown with -s or -rA
    assert all(len(phases[name]) >= 20 for name in ("before", "after, on A", "after, on B")), report
    # Only requests that overlapped the restart may fail: none before it, none after.
    assert all(o.ok for o in phases["before"]), report
    assert all(o.ok for o in phases["after, on A"] + phases["after, on B"]), report

    # Both instances answer their health checks, with the workers they had.
    for server in (a, b):
        health = servers.get(server.port, "/healthz")
        assert health.status == 200, f"{server.name}: /healthz {health.status} {health.text}"
        assert server.worker_pids() == workers_before[server.name], (
            f"{server.name}'s workers were replaced during the restart:\n{report}"
        )

    # Every comment that was acknowledged is stored, and none twice.
    stored = Counter(
        int(match.group(1))
        for body in database.comment_bodies(marker)
        if (match := re.search(rf"{marker} nummer (\d+)", body))
    )
    acknowledged = {o.number for o in outcomes if o.kind == "post" and o.ok}
    lost = sorted(n for n in acknowledged if n not in stored)
    twice = sorted(n for n, count in stored.items() if count > 1)
    assert not lost and not twice, f"lost {lost[:10]}, stored twice {twice[:10]}\n{report}"
