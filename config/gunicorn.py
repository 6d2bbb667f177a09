"""gunicorn settings, read from the environment. Start with:

    gunicorn -c config/gunicorn.py config.wsgi:application

Threaded workers suit a Django app that mostly waits on its database and cache. The
defaults fit a 2-core machine: 2 processes of 4 threads each.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never grow without bound. Not too
# often: a new worker starts with empty per-process caches (the page cache too, without
# Redis), and at a busy hour 10,000 requests were a few seconds of one worker's work.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))
# Load Django once, in the master, before forking: a recycled worker then starts in a
# few milliseconds instead of importing the project anew (about a second of CPU, during
# which its queued requests waited; at a busy hour that was every few seconds). Nothing
# opens a database or cache connection at import, so no connection is shared by forks.
# A HUP then starts new workers from the code already loaded: deploy by restarting.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The TLS proxy in front sets X-Forwarded-Proto; trust it from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket is one path per host; several instances on one host would
# share it. Innspill needs none of its commands.
control_socket_disable = True


# gunicorn has no setting to leave out its `Server: gunicorn` header (it tells a scanner
# what to try). Drop the header from the defaults every response starts with; this file
# runs in the master before it forks, so every worker inherits the change.
def _drop_server_header() -> None:
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "drops_server", False):
        return

    def without_server(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    setattr(without_server, "drops_server", True)  # noqa: B010 (a mark on the function)
    wsgi.Response.default_headers = without_server


_drop_server_header()


# Python hands the GIL to a waiting thread only every 5 ms by default. A thread that
# holds the database's write lock (SQLite lets one writer in) and returns from a query
# then waits up to 5 ms per statement for the GIL, while the other threads of its
# worker parse requests or render pages: the lock is held several times as long as its
# work takes, and every writer queues behind it. A shorter interval keeps it short.
SWITCH_INTERVAL = float(os.environ.get("GUNICORN_SWITCH_INTERVAL", "0.0005"))


def post_fork(server, worker) -> None:
    import sys

    sys.setswitchinterval(SWITCH_INTERVAL)
