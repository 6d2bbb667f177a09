"""`make bench`: throughput and latency of the main pages under gunicorn, measured with
wrk from a separate process on loopback, against the ceiling of a trivial view that goes
through the same middleware, measured again just before each page.

For each database (SQLite, and PostgreSQL + Redis when DATABASE_URL points at a
PostgreSQL server: its database innspill_bench) and each data size it builds a fresh
database, fills it with seed_demo, starts gunicorn with the production settings and
worker configuration, and drives each page for a fixed time and concurrency, page cache
on and off; each page starts on an idle server. Last for each size, it publishes an
edition while loading the chapter page. Results go to stdout and docs/benchmarks.md.

`manage.py benchmark --quick` tries all of it with small data in a few minutes.
"""

from __future__ import annotations

import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools.appserver import GUNICORN_COMMAND, free_port, production_env

CLEAR_CACHE = "from django.core.cache import cache; cache.clear()"
CSRF_SECRET = "benchmarkbenchmarkbenchmarkbench"  # 32 characters, as Django's secrets are
BENCH_SECRET_KEY = "benchmark-only-" + "x" * 50

PAGES: list[tuple[str, str, str]] = [
    ("trivial view (ceiling)", "/_bench/ping", ""),
    ("chapter page", "/veileder/ta-stilling/", ""),
    ("section page", "/veileder/ta-stilling/formal/", ""),
    ("comment list", "/kommentarer/", ""),
    ("compare page", "/endringer/", ""),
    ("API list", "/api/v1/comments/", ""),
    ("search", "/sok/", "search"),
    ("static file", "/static/css/innspill.css", ""),
    ("comment POST", "/veileder/ta-stilling/formal/", "post"),
]

PUBLISH_PAGE = "/veileder/ta-stilling/"  # the chapter page, loaded while publishing

# Issue 12's targets: each page's throughput as a share of the trivial view's in the same
# run, by page cache mode ("on", "off" or "any").
TARGETS = [
    ("chapter page", "on", 0.6),
    ("chapter page", "off", 0.25),
    ("section page", "any", 0.3),
    ("comment list", "on", 0.5),
    ("compare page", "on", 0.3),
    ("API list", "on", 0.3),
    ("search", "on", 0.1),
    ("comment POST", "any", 0.1),
]

# A different word on each request: the words of the seeded text (the guide in content/
# and the demo comments), shuffled, percent-encoded, taken in turn (search pages are
# never cached whole). With a few thousand words, no word repeats within a run.
SEARCH_SCRIPT = """
words = {%(words)s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/sok/?q=" .. words[(counter %% #words) + 1])
end
"""


def search_words() -> list[str]:
    """Every word of four letters or more in the seeded text, shuffled the same way on
    every run."""
    from devtools.management.commands.seed_demo import ENDINGS, OPENINGS, TOPICS

    texts = [*OPENINGS, *TOPICS, *ENDINGS]
    texts += [f.read_text(encoding="utf-8") for f in (settings.BASE_DIR / "content").rglob("*.md")]
    words = sorted({w.lower() for text in texts for w in re.findall(r"[^\W\d_]{4,}", text)})
    random.Random(2010).shuffle(words)
    return words


# Each comment from a client address of its own (X-Forwarded-For behind one trusted
# proxy, as production runs), so the per-client rate limit is checked on every comment,
# as it is in production, without being what limits the run.
POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(secret)s"
wrk.headers["Referer"] = "http://127.0.0.1/"
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (math.floor(counter / 65536) %% 256) .. "." ..
    (math.floor(counter / 256) %% 256) .. "." .. (counter %% 256)
  local body = "csrfmiddlewaretoken=%(secret)s&shown=%(shown)s&name=Last+test&quote=" ..
    "&organisation=&email=" ..
    "&body=Kommentar+nummer+" .. counter .. "+fra+belastningstesten."
  return wrk.format(nil, nil, nil, body)
end
"""


# Before each page the server must answer the trivial view quickly again (and, on
# PostgreSQL, the benchmark database run no query): a slow page's requests still in
# progress must not be counted against the next page. Past SETTLE_SECONDS, gunicorn is
# restarted and PostgreSQL's queries still running are cancelled.
SETTLE_SECONDS = 60
SETTLED_MS = 100


@dataclass
class Result:
    page: str
    size: int
    mode: str
    rps: float
    median_ms: float
    p99_ms: float
    errors: int
    requests: int
    timeouts: int = 0
    max_ms: float = 0.0
    note: str = ""
    # The trivial view's req/s measured just before this page, under the same
    # conditions: the machine's speed drifts within a run (other tenants, the CPU's
    # clock), and a ceiling measured once per mode put ratios off by up to 2x.
    ceiling: float = 0.0

    @property
    def ratio(self) -> float:
        return self.rps / self.ceiling if self.ceiling else 0.0


@dataclass
class Publish:
    """The chapter page under load while `manage.py publish_edition` runs."""

    size: int
    number: str
    seconds: float  # the publish_edition process, start to exit
    published: bool
    load: Wrk


# The draft change the publish step freezes: a paragraph added to three sections of the
# chapter page being measured, as an editor would.
DRAFT_CHANGE = """
from guide.models import Edition, Section
current = Edition.objects.current()
major, minor = (current.number.split(".") + ["0"])[:2]
sections = Section.objects.active().filter(chapter__slug="ta-stilling").order_by("order")
for section in sections[:3]:
    section.body += "\\n\\nEndret av make bench."
    section._change_reason = "make bench"
    section.save()
print(f"{major}.{int(minor) + 1}")
"""


def _n(number: int) -> str:
    """12 345: a thin space between thousands, as Norwegian writes them."""
    return f"{number:,}".replace(",", " ")


def _ms(value: str) -> float:
    """wrk's durations: 850.00us, 12.34ms, 1.04s, 2.00m."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        return 0.0
    number, unit = match.groups()
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    return float(number) * scale[unit]


def _found(pattern: str, output: str) -> str:
    match = re.search(pattern, output, re.M)
    return match.group(1) if match else "0"


@dataclass
class Wrk:
    """What wrk reports: requests per second, latency (median, 99th percentile and
    worst), completed requests, errors (non-2xx/3xx answers, connect, read and write
    errors) and timeouts (requests older than --timeout, as wrk counts them)."""

    rps: float
    median_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int
    timeouts: int


def parse_wrk(output: str) -> Wrk:
    errors, timeouts = int(_found(r"Non-2xx or 3xx responses: (\d+)", output)), 0
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        connect, read, write, timeouts = (int(n) for n in match.groups())
        errors += connect + read + write
    return Wrk(
        rps=float(_found(r"Requests/sec:\s+([\d.]+)", output)),
        median_ms=_ms(_found(r"^\s+50%\s+(\S+)", output)),
        p99_ms=_ms(_found(r"^\s+99%\s+(\S+)", output)),
        max_ms=_ms(_found(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", output)),
        requests=int(_found(r"(\d+) requests in", output)),
        errors=errors,
        timeouts=timeouts,
    )


class Command(BaseCommand):
    help = "Benchmark the main pages under gunicorn with wrk and write docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,100000", help="Published comments.")
        parser.add_argument(
            "--databases",
            default="",
            help="sqlite, postgresql or both (comma-separated). Default: SQLite, and "
            "PostgreSQL too when DATABASE_URL points at a PostgreSQL server (its database "
            "innspill_bench is dropped and made again; REDIS_URL, if set, is its cache).",
        )
        parser.add_argument("--sections", type=int, default=50)
        parser.add_argument("--editions", type=int, default=10)
        parser.add_argument("--duration", type=int, default=10, help="Seconds per page.")
        parser.add_argument(
            "--warmup", type=float, default=2, help="Seconds of warm-up before each page."
        )
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument(
            "--timeout",
            type=int,
            default=5,
            help="Seconds after which wrk counts a request as timed out.",
        )
        parser.add_argument(
            "--page-cache", default="on,off", help="INNSPILL_PAGE_CACHE modes to measure."
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Try the harness in a few minutes: 1 000 and 5 000 comments, 10 sections, "
            "3 editions, 2 s per page after 1 s of warm-up; prints the report and writes no "
            "file unless --output is given.",
        )
        parser.add_argument(
            "--output", default="", help="Where to write the report (docs/benchmarks.md)."
        )

    def handle(self, *args, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed: `apt-get install -y wrk` (make bench does).")
        started = time.monotonic()
        if options["quick"]:
            options.update(sizes="1000,5000", sections=10, editions=3, duration=2, warmup=1)
        output = options["output"] or (
            "" if options["quick"] else str(settings.BASE_DIR / "docs" / "benchmarks.md")
        )
        self.duration, self.warmup = options["duration"], options["warmup"]
        self.ceiling_seconds = max(1, self.duration // 2)
        self.connections, self.timeout = options["connections"], options["timeout"]
        self.sections, self.editions = options["sections"], options["editions"]
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.restarts = 0
        self.workdir = Path(tempfile.mkdtemp(prefix="innspill-bench-"))
        sizes = [int(s) for s in options["sizes"].split(",")]
        modes = options["page_cache"].split(",")
        reports = []
        try:
            self._collectstatic()
            for database in self._databases(options["databases"]):
                self.postgres = database == "postgresql"
                self.memory: dict[tuple[int, str], list[float]] = {}
                self.publishes: list[Publish] = []
                self.stdout.write(f"{self._database_name()}:")
                results: list[Result] = []
                for size in sizes:
                    env = self._environment(size)
                    self._prepare(env, size)
                    for mode in modes:
                        results += self._measure({**env, "INNSPILL_PAGE_CACHE": mode}, size, mode)
                    # Last for this size: publishing changes what the pages show.
                    self.publishes.append(self._publish_under_load(env, size))
                reports.append(self._report(results))
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
        minutes = (time.monotonic() - started) / 60
        report = self._header(minutes) + "\n".join(reports)
        self.stdout.write(report)
        if output:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(report, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Written to {output}"))
        self.stdout.write(self.style.SUCCESS(f"make bench took {minutes:.1f} minutes."))

    # Set-up -----------------------------------------------------------------------

    def _databases(self, wanted: str) -> list[str]:
        postgres_url = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
        databases = [d.strip() for d in wanted.split(",") if d.strip()] or (
            ["sqlite", "postgresql"] if postgres_url else ["sqlite"]
        )
        for database in databases:
            if database not in {"sqlite", "postgresql"}:
                raise CommandError(f"--databases: {database!r} is neither sqlite nor postgresql.")
            if database == "postgresql" and not postgres_url:
                raise CommandError(
                    "PostgreSQL needs DATABASE_URL=postgres://USER@HOST:PORT/ANY (the "
                    "benchmark uses the database innspill_bench on that server)."
                )
        return databases

    def _database_name(self) -> str:
        if self.postgres:
            cache = "Redis" if os.environ.get("REDIS_URL") else "local memory (per process)"
            return f"PostgreSQL, cache in {cache}"
        return "SQLite (WAL), cache in local memory (per process)"

    def _base_env(self) -> dict[str, str]:
        env = production_env(BENCH_SECRET_KEY)
        env.update(
            INNSPILL_BENCHMARK="true",
            TRUSTED_PROXY_COUNT="1",  # the POST script's X-Forwarded-For (see there)
            GUNICORN_LOG_LEVEL="warning",
        )
        return env

    def _environment(self, size: int) -> dict[str, str]:
        env = self._base_env()
        if self.postgres:
            url = urlsplit(os.environ.get("DATABASE_URL", ""))
            env["DATABASE_URL"] = urlunsplit(url._replace(path="/innspill_bench"))
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.workdir / f'bench-{size}.sqlite3'}"
        redis = os.environ.get("REDIS_URL")
        if redis and self.postgres:
            env["REDIS_URL"] = redis
        else:
            env.pop("REDIS_URL", None)
        return env

    def _manage(self, env: dict[str, str], *args: str) -> str:
        """Run a management command in a process of its own; its last line of output."""
        if args[0] == "seed_demo":  # devtools is installed only with debug on
            env = {**env, "DJANGO_DEBUG": "true"}
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def _collectstatic(self) -> None:
        self.stdout.write("Collecting static files…")
        self._manage(self._base_env(), "collectstatic", "--no-input")

    def _prepare(self, env: dict[str, str], size: int) -> None:
        sections, editions = self.sections, self.editions
        if self.postgres:
            self._recreate_postgres_database(env)
        self.stdout.write(
            f"Building data: {sections} sections, {editions} editions, {size} comments…"
        )
        started = time.monotonic()
        self._manage(env, "migrate", "--no-input")
        self._manage(
            env,
            "seed_demo",
            f"--sections={sections}",
            f"--comments={size}",
            f"--editions={editions}",
        )
        self.stdout.write(f"  ready in {time.monotonic() - started:.0f} s")
        if env.get("REDIS_URL"):
            self._manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")

    def _recreate_postgres_database(self, env: dict[str, str]) -> None:
        import psycopg

        url = urlsplit(os.environ["DATABASE_URL"])
        admin = urlunsplit(url._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS innspill_bench WITH (FORCE)")
            connection.execute("CREATE DATABASE innspill_bench")

    # Measuring ---------------------------------------------------------------------

    def _stored(self, env: dict[str, str], since: float, until: float) -> tuple[int, int]:
        """How many comments the POST run stored between `since` and `until` (Unix times),
        and how many in all: requests still in progress when wrk stops are completed
        after it, and are not counted (counted by a process of its own)."""
        command = (
            "import datetime as d; from comments.models import Comment; "
            "at = lambda s: d.datetime.fromtimestamp(s, d.UTC); "
            "posted = Comment.objects.filter(name='Last test'); "
            f"print(posted.filter(created_at__gte=at({since}), created_at__lt=at({until}))"
            ".count(), posted.count())"
        )
        within, total = self._manage(env, "shell", "-c", command).split()
        return int(within), int(total)

    def _remove_posted(self, env: dict[str, str]) -> None:
        """Delete the comments the POST run stored (pending review, named "Last test")."""
        command = (
            "from comments.models import Comment; Comment.objects.filter(name='Last test').delete()"
        )
        self._manage(env, "shell", "-c", command)

    def _worker_memory_mb(self, arbiter: int) -> list[float]:
        """Resident memory of each gunicorn worker, in MB."""
        try:
            children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
        except OSError:
            return []
        sizes = []
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"VmRSS:\s+(\d+) kB", status):
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def _start_server(self, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
        """gunicorn as production runs it (config/gunicorn.py), on a free port."""
        port = free_port()
        server = subprocess.Popen(
            GUNICORN_COMMAND,
            cwd=settings.BASE_DIR,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            start_new_session=True,
        )
        try:
            self._wait_until_up(port)
        except CommandError:
            self._stop_server(server)
            raise
        return server, port

    def _stop_server(self, server: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        except ProcessLookupError:
            pass

    def _ping_ms(self, port: int) -> float | None:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/ping", timeout=5):
                return (time.monotonic() - started) * 1000
        except OSError:
            return None

    def _database_busy(self, env: dict[str, str]) -> int:
        """Queries running in the benchmark database (PostgreSQL; SQLite has no server)."""
        if not self.postgres:
            return 0
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            ).fetchone()
        return int(row[0]) if row else 0

    def _cancel_queries(self, env: dict[str, str]) -> None:
        if not self.postgres:
            return
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            connection.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    def _settled(self, env: dict[str, str], port: int, seconds: float) -> bool:
        """Wait until three pings in a row answer within SETTLED_MS and the database is
        idle; False if that does not happen within `seconds`."""
        deadline = time.monotonic() + seconds
        quick = 0
        while time.monotonic() < deadline:
            answered = self._ping_ms(port)
            quick = quick + 1 if answered is not None and answered < SETTLED_MS else 0
            if quick >= 3 and not self._database_busy(env):
                return True
            time.sleep(0.2)
        return False

    def _settle(self, env: dict[str, str]) -> str:
        """Make sure the server is idle before the next page; restart it if it is not.
        Returns a note for the report when it had to be restarted."""
        assert self.server is not None
        if self._settled(env, self.port, SETTLE_SECONDS):
            return ""
        self.stdout.write(
            f"  the server was still busy after {SETTLE_SECONDS} s: restarting gunicorn"
        )
        self._stop_server(self.server)
        self._cancel_queries(env)
        self.server, self.port = self._start_server(env)
        self.restarts += 1
        if not self._settled(env, self.port, SETTLE_SECONDS):
            raise CommandError("The server did not become idle again after a restart.")
        return f"server restarted before this row: still busy {SETTLE_SECONDS} s after the last"

    def _measure(self, env: dict[str, str], size: int, mode: str) -> list[Result]:
        self.server, self.port = self._start_server(env)
        self.restarts = 0
        try:
            script = self.workdir / "post.lua"
            # The form as a person sends it, shown a minute ago (comments/forms.py).
            shown = signing.dumps(
                int(time.time() - 60), key=BENCH_SECRET_KEY, salt="comments.form-shown"
            )
            script.write_text(
                POST_SCRIPT % {"secret": CSRF_SECRET, "shown": quote(shown)}, encoding="utf-8"
            )
            search = self.workdir / "search.lua"
            words = ", ".join(f'"{quote(word)}"' for word in search_words())
            search.write_text(SEARCH_SCRIPT % {"words": words}, encoding="utf-8")
            results = []
            ping = f"http://127.0.0.1:{self.port}{PAGES[0][1]}"
            for name, path, kind in PAGES:
                note = self._settle(env)
                url = f"http://127.0.0.1:{self.port}{path}"
                ceiling = parse_wrk(self._wrk(ping, [], seconds=self.ceiling_seconds)).rps
                note = note or self._settle(env)
                extra = {"post": ["-s", str(script)], "search": ["-s", str(search)]}.get(kind, [])
                if kind != "post":  # a warm-up POST would store comments before counting
                    self._wrk(url, extra, seconds=self.warmup)  # caches and connections
                    note = note or self._settle(env)
                since = time.time()
                measured = parse_wrk(self._wrk(url, extra, seconds=self.duration))
                rps, stored = measured.rps, ""
                if kind == "post":  # what counts is comments stored, not answers
                    count, total = self._stored(env, since, since + self.duration)
                    rps = count / self.duration
                    stored = (
                        f"  stored {count} within the run ({total} in all) of "
                        f"{measured.requests} answered"
                    )
                    self._remove_posted(env)  # the next runs see the same data
                result = Result(
                    name,
                    size,
                    mode,
                    rps,
                    measured.median_ms,
                    measured.p99_ms,
                    measured.errors,
                    measured.requests,
                    timeouts=measured.timeouts,
                    max_ms=measured.max_ms,
                    note=note,
                    ceiling=rps if path == PAGES[0][1] else ceiling,
                )
                results.append(result)
                self.stdout.write(
                    f"  {size:>7} cache {mode:<3} {name:<24} {rps:>9.1f} req/s  "
                    f"median {result.median_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                    f"max {result.max_ms:7.0f} ms  errors {result.errors}  "
                    f"timeouts {result.timeouts}  {result.ratio:.2f} of the trivial view "
                    f"({ceiling:.0f} req/s just before){stored}"
                )
            self.memory[(size, mode)] = self._worker_memory_mb(self.server.pid)
            return results
        finally:
            self._stop_server(self.server)
            self.server = None

    def _publish_under_load(self, env: dict[str, str], size: int) -> Publish:
        """Publish an edition (the real path: `manage.py publish_edition`, which freezes
        the draft, re-anchors every quoted comment and makes the PDF) while wrk loads the
        chapter page, page cache on; wrk runs from before the publish starts until a
        second after it ends, and its worst latency is the publish's cost to readers.
        Run last for a size: it changes the data the pages show."""
        env = {**env, "INNSPILL_PAGE_CACHE": "on"}
        number = self._manage(env, "shell", "-c", DRAFT_CHANGE)
        self.server, self.port = self._start_server(env)
        try:
            self._settle(env)
            url = f"http://127.0.0.1:{self.port}{PUBLISH_PAGE}"
            self._wrk(url, [], seconds=self.warmup)
            self._settle(env)
            load = subprocess.Popen(
                self._wrk_command(url, [], seconds=3600),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                time.sleep(1)  # the load is running before the publish starts
                started = time.monotonic()
                publish = subprocess.run(
                    [
                        sys.executable,
                        "manage.py",
                        "publish_edition",
                        f"--number={number}",
                        f"--title=Benchmark {number}",
                        "--summary=Published by make bench under load.",
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                seconds = time.monotonic() - started
                time.sleep(1)
            finally:
                load.send_signal(signal.SIGINT)  # wrk stops and reports on SIGINT
                output, _ = load.communicate(timeout=60)
            if publish.returncode:
                self.stderr.write(publish.stdout + publish.stderr)
            result = Publish(size, number, seconds, publish.returncode == 0, parse_wrk(output))
            self.stdout.write(
                f"  {size:>7} publish {number}: {seconds:.1f} s"
                f"{'' if result.published else ' (FAILED)'}; chapter page meanwhile "
                f"{result.load.rps:.1f} req/s, median {result.load.median_ms:.2f} ms, "
                f"max {result.load.max_ms:.0f} ms, errors {result.load.errors}, "
                f"timeouts {result.load.timeouts}"
            )
            return result
        finally:
            self._stop_server(self.server)
            self.server = None

    def _wait_until_up(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn did not start within 60 seconds.")

    def _wrk(self, url: str, extra: list[str], *, seconds: float) -> str:
        command = self._wrk_command(url, extra, seconds=seconds)
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def _wrk_command(self, url: str, extra: list[str], *, seconds: float) -> list[str]:
        return [
            "wrk",
            "-t1",
            f"-c{self.connections}",
            f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds only
            # A connection per request, as from a proxy without upstream keep-alive.
            # With kept connections, how wrk's connections happened to be split between
            # gunicorn's workers at the start decided up to half of a run's throughput
            # (the trivial view: 964 to 3,514 req/s within one run).
            "-H",
            "Connection: close",
            "--latency",
            "--timeout",
            f"{self.timeout}s",
            *extra,
            url,
        ]

    # Report ------------------------------------------------------------------------

    def _header(self, minutes: float) -> str:
        cpu = platform.processor() or platform.machine()
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        memory = ""
        try:
            kib = int(_found(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()))
            if kib:
                memory = f", {kib / 1024 / 1024:.0f} GiB memory"
        except OSError:
            pass
        lines = [
            "# Benchmarks",
            "",
            f"Measured {timezone.localtime():%Y-%m-%d %H:%M} (Oslo time) on {os.cpu_count()} cores "
            f"({cpu}){memory}; the whole run took {minutes:.0f} minutes (`make bench`).",
            f"gunicorn: config/gunicorn.py defaults "
            f"(gthread, {os.environ.get('GUNICORN_WORKERS', '2')} workers × "
            f"{os.environ.get('GUNICORN_THREADS', '4')} threads), production settings.",
            f"Load: wrk, 1 thread, {self.connections} connections (a new one per request, "
            f"`Connection: close`), {self.duration} s per page "
            f"after a {self.warmup:g} s warm-up, on loopback; a request is counted as timed "
            f"out after {self.timeout} s. Before each page (and after its warm-up) the "
            f"server must answer /_bench/ping within {SETTLED_MS} ms three times in a row "
            "and PostgreSQL run no query in the benchmark database, else gunicorn is "
            f"restarted after {SETTLE_SECONDS} s, so no page's work spills into the next. "
            f"Each page is compared with the trivial view measured for "
            f"{self.ceiling_seconds:g} s just before it on the same server (its own column), "
            "as the machine's speed drifts within a run.",
            f"Data: {self.sections} sections, {self.editions} editions. Search takes a "
            "different word of the seeded text on each request; each comment POST comes "
            "from an address of its own (X-Forwarded-For behind one trusted proxy, the "
            "production rate limit on) and counts as the comments actually stored per "
            "second; they are deleted after the run. Last for each size, an edition is "
            "published (`manage.py publish_edition`: a paragraph added to three sections "
            "of the chapter) while wrk loads the chapter page, page cache on.",
            "",
            "Run again with `make bench` (SQLite; with DATABASE_URL=postgres://USER@HOST/"
            "innspill_bench and REDIS_URL=redis://HOST:6379/N, a Redis database the run may "
            "clear, PostgreSQL + Redis too, in the same run) on an otherwise idle machine; "
            "`make bench BENCH_ARGS=--quick` tries the harness with small data in a few "
            "minutes and writes no file.",
            "",
        ]
        return "\n".join(lines)

    def _report(self, results: list[Result]) -> str:
        lines = [
            f"## {self._database_name()}",
            "",
            "| comments | page cache | page | req/s | median ms | p99 ms | max ms | errors "
            "| timeouts | trivial view just before, req/s | vs. trivial |",
            "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in results:
            page = f"{r.page} ({r.note})" if r.note else r.page
            lines.append(
                f"| {r.size:,} | {r.mode} | {page} | {r.rps:,.1f} | {r.median_ms:.2f} "
                f"| {r.p99_ms:.2f} | {r.max_ms:,.0f} | {r.errors} | {r.timeouts} "
                f"| {r.ceiling:,.0f} | {r.ratio:.2f} |".replace(",", " ")
            )
        if self.publishes:
            lines += [
                "",
                "Publishing an edition while wrk loads the chapter page (page cache on):",
                "",
                "| comments | edition | publish s | chapter req/s | median ms | p99 ms | max ms "
                "| errors | timeouts |",
                "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for p in self.publishes:
                edition = p.number if p.published else f"{p.number} (publish FAILED)"
                lines.append(
                    f"| {_n(p.size)} | {edition} | {p.seconds:.1f} | {p.load.rps:.1f} "
                    f"| {p.load.median_ms:.2f} | {p.load.p99_ms:.2f} | {p.load.max_ms:.0f} "
                    f"| {p.load.errors} | {p.load.timeouts} |"
                )
        lines += ["", f"### Targets (issue 12), {self._database_name()}", ""]
        largest = max(r.size for r in results)
        smallest = min(r.size for r in results)
        by_key = {(r.page, r.size, r.mode): r for r in results}
        for page, mode, target in TARGETS:
            modes = sorted({r.mode for r in results}) if mode == "any" else [mode]
            for each in modes:
                found = by_key.get((page, largest, each))
                if not found or not found.ceiling:
                    continue
                ratio = found.ratio
                failed = found.errors + found.timeouts
                verdict = "met" if ratio >= target and not failed else "NOT met"
                lines.append(
                    f"- {page}, page cache {each}, {_n(largest)} comments: {ratio:.2f} of the "
                    f"trivial view, {found.errors} errors, {found.timeouts} timeouts "
                    f"(target ≥ {target}, none failed): {verdict}."
                )
        if smallest != largest:
            for page, mode in sorted({(r.page, r.mode) for r in results}):
                small = by_key.get((page, smallest, mode))
                large = by_key.get((page, largest, mode))
                if not small or not large or page.startswith(("trivial", "static")):
                    continue
                if not small.median_ms or not large.median_ms:
                    lines.append(
                        f"- {page}, page cache {mode}: no request completed in one of the "
                        "runs: NOT measured."
                    )
                    continue
                growth = large.median_ms / small.median_ms
                verdict = "met" if growth <= 1.2 else "NOT met"
                lines.append(
                    f"- {page}, page cache {mode}: median at {_n(largest)} vs {_n(smallest)} "
                    f"comments {growth:.2f}× (target ≤ 1.2): {verdict}."
                )
        for (size, mode), sizes in sorted(self.memory.items()):
            if sizes:
                most = max(sizes)
                verdict = "met" if most < 250 else "NOT met"
                lines.append(
                    f"- Resident memory per worker after the run ({_n(size)} comments, page "
                    f"cache {mode}): at most {most:.0f} MB (target < 250 MB): {verdict}."
                )
        for p in self.publishes:
            if p.size != largest:
                continue
            worst = p.load.max_ms
            ok = p.published and worst < 1000 and not (p.load.errors or p.load.timeouts)
            if not p.published:
                what = "the publish failed"
            elif p.load.timeouts:
                what = (
                    f"{p.load.timeouts} requests took longer than {self.timeout} s, "
                    f"the worst completed one {worst:.0f} ms"
                )
            else:
                what = f"{worst:.0f} ms, {p.load.errors} errors"
            lines.append(
                f"- Chapter page's worst latency while edition {p.number} was published at "
                f"{_n(p.size)} comments (the publish took {p.seconds:.1f} s): {what} "
                f"(target < 1 s): {'met' if ok else 'NOT met'}."
            )
        return "\n".join(lines) + "\n"
