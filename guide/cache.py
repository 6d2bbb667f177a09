"""Whole-page caching for the most-read public pages.

A cached page is keyed by its path, the interface language and two counters: the guide
version (bumped when an edition is published or its details change) and the comments
version (bumped whenever something public about a comment changes). Bumping a counter
makes every older key unreachable at once, across all app instances sharing the cache;
the stale entries expire on their own. If the cache is down, pages are rendered as if
nothing were cached, and a warning is logged.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# After a cache failure this process leaves the cache alone for a few seconds, so a
# Redis that hangs costs one timeout now and then, not one on every request.
DOWN_SECONDS = 5.0
_down_until = 0.0

# The most recent pages also live in each process, so a hit costs one small round trip
# to Redis (the version counters) instead of fetching the whole page. Keys carry the
# versions, so a copy here can never be served after the page changed.
LOCAL_PAGES = 256
_local_pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
_local_lock = threading.Lock()

GUIDE_VERSION = "version:guide"
COMMENTS_VERSION = "version:comments"
PAGE_SECONDS = 24 * 3600
BROWSER_SECONDS = 60


def shared_cache_usable() -> bool:
    return time.monotonic() >= _down_until


def shared_cache_failed(error: Exception, what: str) -> None:
    global _down_until
    _down_until = time.monotonic() + DOWN_SECONDS
    logger.warning("Shared cache unavailable for %s (%s); going on without it", what, error)


def cache_get(key: str, default=None, **kwargs):
    """cache.get that treats a failing cache as a miss."""
    if not shared_cache_usable():
        return default
    try:
        return cache.get(key, default, **kwargs)
    except Exception as error:  # noqa: BLE001 - any cache failure
        shared_cache_failed(error, key)
        return default


def cache_set(key: str, value, timeout: float | None, **kwargs) -> None:
    """cache.set that gives up quietly when the cache fails."""
    if not shared_cache_usable():
        return
    try:
        cache.set(key, value, timeout, **kwargs)
    except Exception as error:  # noqa: BLE001
        shared_cache_failed(error, key)


def _versions() -> tuple[int, int] | None:
    if not shared_cache_usable():
        return None
    try:
        found = cache.get_many([GUIDE_VERSION, COMMENTS_VERSION])
    except Exception as error:  # noqa: BLE001 - any cache failure: serve uncached
        shared_cache_failed(error, "the page cache")
        return None
    return found.get(GUIDE_VERSION, 0), found.get(COMMENTS_VERSION, 0)


def _bump(key: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet
            cache.add(key, 1, timeout=None)
    except Exception as error:  # noqa: BLE001
        # Without the shared cache there is nothing stale to invalidate.
        logger.warning("Could not bump %s in the cache (%s)", key, error)


def guide_changed() -> None:
    """Call after an edition is published or its details change."""
    _bump(GUIDE_VERSION)


def comments_changed() -> None:
    """Call after anything public about any comment changes."""
    _bump(COMMENTS_VERSION)


def _remember(key: str, page: tuple[bytes, str]) -> None:
    with _local_lock:
        _local_pages[key] = page
        _local_pages.move_to_end(key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)


def _page_key(language: str, versions: tuple[int, int], path: str, variant: str) -> str:
    raw = f"{language}:{versions[0]}:{versions[1]}:{path}?{variant}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _etag(key: str) -> str:
    return '"' + key[5:37] + '"'


def _lookup(key: str) -> tuple[bytes, str] | None:
    with _local_lock:
        cached = _local_pages.get(key)
        if cached is not None:
            _local_pages.move_to_end(key)
            return cached
    cached = cache_get(key)
    if cached is not None:
        _remember(key, cached)
    return cached


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
    # The language can come from a cookie: a browser must not reuse a copy in the
    # language it had before switching.
    patch_vary_headers(response, ("Cookie",))
    return response


def cached_page(view=None, *, params: tuple[str, ...] = ()):
    """Serve a public GET page from the shared cache, with an ETag for revalidation.

    Only 200 responses are cached, and only requests whose query string holds nothing
    but `params` (each at most once): other query strings bypass the cache, so nobody
    can fill it with variants. The page must not hold anything specific to the visitor,
    such as a CSRF token.
    """
    if view is None:
        return functools.partial(cached_page, params=params)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        query = request.GET
        plain = all(name in params and len(query.getlist(name)) == 1 for name in query)
        if request.method not in ("GET", "HEAD") or not plain:
            return view(request, *args, **kwargs)
        versions = _versions()
        if versions is None:
            return view(request, *args, **kwargs)
        variant = urlencode(sorted((name, query[name]) for name in query))
        if len(variant) > 200:  # a long query string: not worth a cache entry
            return view(request, *args, **kwargs)
        key = _page_key(get_language(), versions, request.path, variant)
        etag = _etag(key)
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        cached = _lookup(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code != 200 or personal:
                return response
            page = (response.content, response["Content-Type"])
            cache_set(key, page, PAGE_SECONDS)
            _remember(key, page)
        return _finish(response, etag)

    return wrapper


class CachedPageMiddleware:
    """Answers a cached page before the rest of the middleware runs, as WhiteNoise does
    for static files: a hit costs a header or two and one small Redis round trip.

    Only plain GET/HEAD requests (no query string) whose page cached_page has already
    stored are answered here; everything else goes on as usual. It sits after the
    security and CSP middleware, so those headers are still added; it adds what the
    middleware it skips would have (language and framing headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING"):
            response = self._hit(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _hit(self, request: HttpRequest) -> HttpResponse | None:
        request.get_host()  # validates the host, as the skipped middleware would
        versions = _versions()
        if versions is None:
            return None
        language = translation.get_language_from_request(request)
        key = _page_key(language, versions, request.path, "")
        etag = _etag(key)
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            cached = _lookup(key)
            if cached is None:
                return None
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if isinstance(response, HttpResponseNotModified):
            response["ETag"] = etag
            return response
        return _finish(response, etag)
