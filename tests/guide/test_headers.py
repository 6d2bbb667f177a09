"""Headers on every answer, what the server says about itself, and quiet logs for
clients' mistakes."""

from __future__ import annotations

import http.client
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url", ["/", "/veileder/forord/", "/api/v1/", "/healthz", "/finnes-ikke/", "/admin/login/"]
)
def test_every_answer_carries_a_permissions_policy(guide, client, url):
    response = client.get(url)
    policy = response["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in policy.split(","))
    assert features["camera"] == features["microphone"] == features["geolocation"] == "()"


def test_the_permissions_policy_goes_on_before_anything_answers_early():
    # Middleware above it (health checks, WhiteNoise, cached pages) answers without
    # running the rest: the header must be added outside all of them.
    assert django_settings.MIDDLEWARE[0] == "config.headers.PermissionsPolicyMiddleware"


def test_writes_to_the_api_are_answered_before_the_csrf_check():
    middleware = django_settings.MIDDLEWARE
    assert middleware.index("public.api.ReadOnlyApiMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )


def test_a_bad_host_header_is_one_warning_without_a_traceback(guide, client, settings, caplog):
    settings.ALLOWED_HOSTS = ["innspill.example.no"]
    with caplog.at_level(logging.INFO):
        response = client.get("/veileder/", headers={"host": "evil.example"})
    assert response.status_code == 400
    records = [r for r in caplog.records if "evil.example" in r.getMessage()]
    assert records, caplog.text
    for record in records:
        assert record.levelno == logging.WARNING, record
        assert record.exc_info is None and record.exc_text is None, record


def _get_over_unix_socket(path: str, url: str) -> http.client.HTTPResponse:
    class UnixConnection(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(10)
            self.sock.connect(path)

    connection = UnixConnection("localhost")
    connection.request("GET", url, headers={"Host": "localhost"})
    return connection.getresponse()


def test_gunicorn_does_not_name_itself(tmp_path):
    """A real gunicorn with config/gunicorn.py, on a Unix socket (no port to collide)."""
    sock = str(tmp_path / "gunicorn.sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        GUNICORN_BIND=f"unix:{sock}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="1",
        GUNICORN_ACCESS_LOG="",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = _get_over_unix_socket(sock, "/robots.txt")
                break
            except (FileNotFoundError, ConnectionRefusedError):
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status == 200
        assert response.getheader("Server") is None, response.getheaders()
        assert response.getheader("Permissions-Policy")
    finally:
        server.terminate()
        server.wait(timeout=20)
