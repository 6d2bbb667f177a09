"""What the reliability tests start and drive: real gunicorn processes with the
production settings and worker configuration, driven over HTTP by threads of this
process.

Nothing here uses pytest-django's test database: the app runs in separate processes, so
each module gets a throwaway database of its own (an SQLite file under pytest's tmp_path,
or a PostgreSQL database named innspill_reliability_*, created and dropped here), copied
from one built per session with `migrate` and `load_guide`, and the tests count what was
stored by querying it directly. The developer's db.sqlite3 and the database named in
DATABASE_URL are never touched. `collectstatic` runs once per session (the production
settings serve static files from WhiteNoise's manifest).

The fixtures built from these are in conftest.py. Run only these tests with
`pytest -m reliability`, or leave them out with `-m "not reliability"`.

PostgreSQL and the shared Redis are used when DATABASE_URL points at PostgreSQL and
REDIS_URL is set, as in CI's second run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/innspill \
    REDIS_URL=redis://127.0.0.1:6379/15 make test
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from devtools.appserver import GUNICORN_COMMAND, free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# One secret for the whole session: instances of one deployment share it (client hashes
# and signed receipts must agree between them).
SECRET_KEY = "reliability-tests-only-" + secrets.token_urlsafe(40)
# A fixed CSRF secret sent as both cookie and form token, as `make bench` does: 32
# characters, as Django's are.
CSRF_SECRET = "reliabilityreliabilityreliabilit"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
STARTUP_SECONDS = 60
REQUEST_SECONDS = 20

# Lines in a gunicorn log that mean a request or a worker went wrong.
SERVER_ERROR = re.compile(
    r"Traceback|Internal Server Error|\bERROR\b|\[CRITICAL\]|WORKER TIMEOUT|"
    r"Worker \(pid:\d+\) was sent"
)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in POSTGRES_SCHEMES else None


def shared_redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


NO_POSTGRES = (
    "needs PostgreSQL and Redis: runs when DATABASE_URL points at PostgreSQL and REDIS_URL "
    "is set (CI's second run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/innspill "
    "REDIS_URL=redis://127.0.0.1:6379/15 make test)"
)
needs_postgres_and_redis = pytest.mark.skipif(
    postgres_url() is None or shared_redis_url() is None, reason=NO_POSTGRES
)


# Processes ----------------------------------------------------------------------------


def base_env(database_url: str) -> dict[str, str]:
    """The production settings, with nothing inherited that could point elsewhere."""
    dropped = {
        "DATABASE_URL",
        "DATABASE_TEST_NAME",
        "REDIS_URL",
        "COMMENT_RATE_LIMIT",
        "TRUSTED_PROXY_COUNT",
        "INNSPILL_BENCHMARK",
        "EMAIL_BACKEND",
        "SITE_URL",
    }
    env = production_env(SECRET_KEY, drop=dropped)
    env.update(DATABASE_URL=database_url, COMMENT_RATE_LIMIT="off", PYTHONUNBUFFERED="1")
    return env


def app_env(
    database_url: str,
    *,
    redis_url: str | None = None,
    rate_limit: str = "off",
    trusted_proxies: int = 0,
    **extra: str,
) -> dict[str, str]:
    env = base_env(database_url)
    env["COMMENT_RATE_LIMIT"] = rate_limit
    env["TRUSTED_PROXY_COUNT"] = str(trusted_proxies)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return result.stdout


def server_errors(log: str) -> str:
    """The part of a gunicorn log from its first error on (empty if there is none)."""
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if SERVER_ERROR.search(line):
            return "\n".join(lines[index : index + 80])
    return ""


class Gunicorn:
    """One app instance: `gunicorn -c config/gunicorn.py` in its own process group."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.base_env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self._choose_port()

    def _choose_port(self) -> None:
        self.port = free_port()
        self.log_path = self.log_dir / f"gunicorn-{self.name}-{self.port}.log"
        runtime = self.log_dir / f"run-{self.name}-{self.port}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {
            **self.base_env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            # gunicorn's control socket goes to $XDG_RUNTIME_DIR (else ~/.gunicorn): one
            # per instance, so ours never replace another gunicorn's on this machine.
            "XDG_RUNTIME_DIR": str(runtime),
        }

    def start(self) -> Gunicorn:
        for _attempt in range(3):
            if self._start_once():
                return self
            self._choose_port()  # the free port was taken in the meantime: another
        raise RuntimeError(f"gunicorn {self.name} found no free port:\n{self.log()[-3000:]}")

    def _start_once(self) -> bool:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                GUNICORN_COMMAND,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers = int(self.env.get("GUNICORN_WORKERS", "2"))
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if "Address already in use" in self.log():
                    return False
                raise RuntimeError(f"gunicorn {self.name} exited at start:\n{self.log()[-5000:]}")
            try:
                get(self.port, "/healthz", timeout=2)  # any answer: it is up
            except OSError:
                time.sleep(0.2)
                continue
            pids = self.worker_pids()
            if pids is None or len(pids) >= workers:
                return True
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn {self.name} did not start in {STARTUP_SECONDS} s:\n{self.log()[-5000:]}"
        )

    def stop(self) -> None:
        """Stop the whole process group: the arbiter and any worker it left behind."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
                return  # a graceful arbiter exits after its workers
            except subprocess.TimeoutExpired:
                pass
        # Stuck, or the arbiter died before us: its workers may still hold the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def worker_pids(self) -> set[int] | None:
        """The worker processes' ids (None where /proc cannot tell)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return None
        return {int(p) for p in children.split()}


@contextlib.contextmanager
def running(*servers: Gunicorn) -> Iterator[tuple[Gunicorn, ...]]:
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


# Databases ----------------------------------------------------------------------------


@dataclass
class Database:
    """A throwaway database the app instances share, queried directly by the tests."""

    url: str

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.url).scheme in POSTGRES_SCHEMES

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one statement (placeholders written %s) and commit; rows if any."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=10) as connection:
                cursor = connection.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        path = self.url.removeprefix("sqlite:///")
        connection = sqlite3.connect(path, timeout=30)
        try:
            cursor = connection.execute(sql.replace("%s", "?"), params)
            rows = cursor.fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()

    def comment_bodies(self, marker: str) -> list[str]:
        rows = self.query("SELECT body FROM comments_comment WHERE body LIKE %s", (f"%{marker}%",))
        return [body for (body,) in rows]

    def first_section_path(self) -> tuple[str, str]:
        """(chapter page, section page) of the current edition's first chapter section."""
        (chapter, section), *_ = self.query(
            "SELECT c.slug, s.slug FROM guide_editionsection s "
            "JOIN guide_editionchapter c ON s.edition_chapter_id = c.id "
            "JOIN guide_edition e ON c.edition_id = e.id "
            "WHERE c.kind = 'chapter' "
            'ORDER BY e.published_at DESC, c."order", s."order" LIMIT 1'
        )
        return f"/veileder/{chapter}/", f"/veileder/{chapter}/{section}/"


def _postgres_admin(url: str):
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True, connect_timeout=10)


TEMPLATE = "template"


def _postgres_database_url(name: str) -> str:
    base = postgres_url()
    assert base, NO_POSTGRES
    return urlunsplit(urlsplit(base)._replace(path=f"/innspill_reliability_{name}"))


def _sqlite_path(database: Database) -> Path:
    return Path(database.url.removeprefix("sqlite:///"))


class Databases:
    """Fresh databases for the modules, copied from one prepared per session and kind
    (migrate and load_guide take seconds on a busy 2-core machine)."""

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir
        self.templates: dict[bool, Database] = {}
        self.made: list[Database] = []

    def _template(self, postgres: bool) -> Database:
        if postgres not in self.templates:
            if postgres:
                template = Database(_postgres_database_url(TEMPLATE))
                self._postgres_recreate(template)
            else:
                template = Database(f"sqlite:///{self.work_dir / 'template.sqlite3'}")
            env = base_env(template.url)
            manage(env, "migrate", "--no-input")
            manage(env, "load_guide")
            self.made.append(template)
            self.templates[postgres] = template
        return self.templates[postgres]

    def create(self, name: str, *, postgres: bool) -> Database:
        """A database with the schema and the guide's first edition, open for comments."""
        template = self._template(postgres)
        if postgres:
            database = Database(_postgres_database_url(name))
            self._postgres_recreate(database, template=template)
        else:
            database = Database(f"sqlite:///{self.work_dir / f'{name}.sqlite3'}")
            shutil.copyfile(_sqlite_path(template), _sqlite_path(database))
        self.made.append(database)
        return database

    @staticmethod
    def _postgres_recreate(database: Database, template: Database | None = None) -> None:
        name = urlsplit(database.url).path.lstrip("/")
        assert name.startswith("innspill_reliability_")
        with _postgres_admin(database.url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template is None:
                connection.execute(f'CREATE DATABASE "{name}"')
            else:
                source = urlsplit(template.url).path.lstrip("/")
                connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')

    def drop_all(self) -> None:
        for database in reversed(self.made):
            if not database.is_postgres:
                continue
            name = urlsplit(database.url).path.lstrip("/")
            with _postgres_admin(database.url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def forget_cached_pages(redis_url: str) -> None:
    """Remove the app's keys from a shared Redis: page and diff caches are keyed by
    version counters and primary keys, which a fresh database starts again from."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    try:
        keys = list(client.scan_iter("innspill:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# Redis of our own -----------------------------------------------------------------------


class RedisServer:
    """A redis-server on a free port, owned by the test (the shared one is never stopped)."""

    def __init__(self, work_dir: Path):
        self.port = free_port()
        self.work_dir = work_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.work_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.ping():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def shutdown(self) -> None:
        """Stop it the way an operator would: `redis-cli shutdown nosave`."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
        )
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# HTTP -----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookie(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                jar = SimpleCookie()
                jar.load(value)
                if name in jar:
                    return jar[name].value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_SECONDS,
) -> Response:
    """One request on a connection of its own: a failed POST is never silently resent."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        data = answer.read()
        return Response(answer.status, answer.getheaders(), data, time.monotonic() - started)
    finally:
        connection.close()


def get(port: int, path: str, *, timeout: float = REQUEST_SECONDS, **headers: str) -> Response:
    return request(port, "GET", path, headers=headers, timeout=timeout)


def post_form(
    port: int,
    path: str,
    fields: dict[str, str],
    *,
    client: str | None = None,
    cookies: dict[str, str] | None = None,
    timeout: float = REQUEST_SECONDS,
) -> Response:
    """POST a form the way a browser with the CSRF cookie would. `client` is sent as
    X-Forwarded-For, for instances started with trusted_proxies=1."""
    jar = {"csrftoken": CSRF_SECRET, **(cookies or {})}
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    }
    if client:
        headers["X-Forwarded-For"] = client
    body = urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **fields}).encode()
    return request(port, "POST", path, body=body, headers=headers, timeout=timeout)


def admin_login(server: Gunicorn, username: str, password: str) -> dict[str, str]:
    """Log in to the admin through `server`: the session cookie for post_form."""
    response = post_form(
        server.port,
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )
    session = response.cookie("sessionid")
    assert response.status == 302 and session, (
        f"admin login through {server.name} answered {response.status}: {response.text[:2000]}"
    )
    return {"sessionid": session}


def form_shown_token(seconds_ago: float = 60) -> str:
    """The signed "form shown at" field (comments/forms.py), as the app instances, which
    share SECRET_KEY, would have rendered it `seconds_ago`."""
    from django.core import signing

    return signing.dumps(int(time.time() - seconds_ago), key=SECRET_KEY, salt="comments.form-shown")


def post_comment(
    port: int,
    section_path: str,
    text: str,
    *,
    client: str | None = None,
    timeout: float = REQUEST_SECONDS,
    **overrides: str,
) -> Response:
    """The comment form as a person sends it; `overrides` replace its fields."""
    fields = {
        "shown": form_shown_token(),
        "name": "Pålitelighetstest",
        "organisation": "",
        "email": "",
        "quote": "",
        "quote_prefix": "",
        "quote_suffix": "",
        "body": text,
        **overrides,
    }
    return post_form(port, section_path, fields, client=client, timeout=timeout)


def new_client() -> str:
    """A client address of its own (documentation range), for X-Forwarded-For: a /64
    network of its own, as limits group IPv6 clients by network."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


def wait_for_fresh_window(needed: float, window: int = 60) -> None:
    """Rate limits count per fixed window (minute); start a run of attempts early in one
    so that it does not straddle two."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.2)


# A database connection that can be cut --------------------------------------------------


class TcpProxy:
    """Forwards a free local port to PostgreSQL, and can cut every connection and refuse
    new ones, as a database that went away would, without stopping the shared server."""

    def __init__(self, target_port: int):
        import threading

        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()
