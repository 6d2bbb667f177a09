"""Mail leaves the request: receipts and notifications are handed, once the transaction
that stored what they are about has committed, to one background thread per process.
The visitor's answer never waits on an SMTP server; a mail that fails is logged by the
function that sends it. `SEND_MAIL_IN_BACKGROUND = False` sends at once (the tests)."""

from __future__ import annotations

import atexit
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connections

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="innspill-mail")
atexit.register(_executor.shutdown, wait=True)  # a worker that stops sends what it has


def _run(function: Callable[..., None], *args: Any) -> None:
    try:
        function(*args)
    finally:
        connections.close_all()  # this thread's own database connections


def send_later(function: Callable[..., None], *args: Any) -> None:
    if settings.SEND_MAIL_IN_BACKGROUND:
        _executor.submit(_run, function, *args)
    else:
        function(*args)
