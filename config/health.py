"""/healthz for load balancers and container health checks.

Answered by middleware placed first, before host validation and the HTTPS redirect:
probes call it by IP address over plain HTTP, and must learn whether this instance can
reach its database and cache, not whether they typed a production host name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


def health_report() -> dict[str, str]:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        logger.warning("healthz: database check failed: %s", error)
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
    except Exception as error:  # noqa: BLE001
        logger.warning("healthz: cache check failed: %s", error)
        checks["cache"] = f"error: {error.__class__.__name__}"
    return checks


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != "/healthz":
            return self.get_response(request)
        checks = health_report()
        # Without its database an instance can do nothing useful: take it out of
        # rotation. Without the shared cache it still serves pages and takes comments
        # (more slowly, under stricter rate limits): keep it in, and say so.
        if checks["database"] != "ok":
            status, code = "unavailable", 503
        elif checks["cache"] != "ok":
            status, code = "degraded", 200
        else:
            status, code = "ok", 200
        response = JsonResponse({"status": status, **checks}, status=code)
        response["Cache-Control"] = "no-store"
        return response
