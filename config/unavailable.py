"""When the database cannot be reached: 503 with Retry-After and a short page of the
site's own, never a 500. The page is plain HTML that needs no database, so it can be
shown exactly when nothing else can. Once the database answers again, the next request
is served as usual (Django reconnects; CONN_HEALTH_CHECKS drops broken connections).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNREACHABLE = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest | None = None) -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's failure to reach the database into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, UNREACHABLE):
            logger.warning("Database unavailable for %s: %s", request.path, exception)
            return unavailable(request)
        return None


def handler500(request: HttpRequest) -> HttpResponse:
    """The same for a failure outside a view (in middleware), else the usual 500."""
    if isinstance(sys.exception(), UNREACHABLE):
        return unavailable(request)
    return server_error(request)
