"""The app run as production runs it, on loopback: what `manage.py benchmark` and the
reliability tests (tests/reliability/servers.py) both start gunicorn with."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Collection

# gunicorn with the production worker configuration; bind it with GUNICORN_BIND.
GUNICORN_COMMAND = [
    sys.executable,
    "-m",
    "gunicorn",
    "-c",
    "config/gunicorn.py",
    "config.wsgi:application",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(secret_key: str, *, drop: Collection[str] = ()) -> dict[str, str]:
    """The production settings on 127.0.0.1: this process's environment without any
    DJANGO_ or GUNICORN_ setting (nor those in `drop`), debug, HTTPS redirect, access log
    and mail off, and only warnings logged."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_")) and key not in drop
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        GUNICORN_ACCESS_LOG="",
    )
    return env
