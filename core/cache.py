"""Whole-page caching for the most-read public pages: a copy, never the truth.

A cached page is keyed by everything its bytes depend on:
- the content versions held in the database (core/versions.py), which triggers move
  in the same transaction as any public change, made anywhere;
- the release: a digest of the templates, translations and code this process runs;
- the interface language, and what the apps add with vary_on() (guide adds the
  consultation round's state and the local date: the round banner counts the days left);
- the path and the (validated) query string.
Keys are therefore never invalidated: a change simply makes new keys, and old entries
expire on their own. Losing the cache, a write to it, or Redis itself can only make a
page slower. The ETag is a digest of the bytes, so it changes exactly when they do.

`INNSPILL_PAGE_CACHE=off` turns all of this off: every page is rendered per request.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
)
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode

from core import versions

logger = logging.getLogger(__name__)

# After a cache failure this process leaves the cache alone for a few seconds, so a
# Redis that hangs costs one timeout now and then, not one on every request.
DOWN_SECONDS = 5.0
_down_until = 0.0

# The most recent pages also live in each process, so a hit costs one small query (the
# versions) and no round trip to Redis. Keys carry the versions, so a copy here can
# never be served after the page changed.
LOCAL_PAGES = 256
_local_pages: OrderedDict[str, CachedPage | str | Kept] = OrderedDict()
_local_lock = threading.Lock()

PAGE_SECONDS = 24 * 3600
# Headers a view sets that belong to the page and are kept with it (the API's CORS).
KEPT_HEADERS = ("Access-Control-Allow-Origin", "Content-Disposition", "X-Robots-Tag")


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    content_type: str
    etag: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Kept:
    """A value computed from the database (a count, a short list), kept per state."""

    value: Any


def enabled() -> bool:
    return settings.PAGE_CACHE


# The shared cache, failing softly -------------------------------------------------------


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


# What a page's bytes depend on ----------------------------------------------------------


@functools.cache
def release() -> str:
    """A digest of what renders pages in this process: templates, translations, code and
    the static files manifest. A deployment that changes any of them makes new keys,
    even in a Redis that outlived the old processes."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    files = sorted(_release_files(root))
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        files.append(manifest)
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _release_files(root: Path) -> Iterator[Path]:
    """The project's Python files, templates and compiled translations; not its tests,
    and without walking the virtualenv, git or collected static files at all."""
    skipped = {"tests", "__pycache__", "node_modules", Path(settings.STATIC_ROOT).name}
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [
            name for name in subdirectories if not name.startswith(".") and name not in skipped
        ]
        folder = Path(directory)
        top = folder.relative_to(root).parts[:1]
        for name in names:
            if (
                (name.endswith(".py") and top)
                or top == ("templates",)
                or (top == ("locale",) and name.endswith(".mo"))
            ):
                yield folder / name


# What else a page's bytes depend on without any write (the round's state and the local
# date, say): each app adds its own with vary_on() in AppConfig.ready().
KEY_PARTS: list[Callable[[versions.Versions], str]] = []


def vary_on(part: Callable[[versions.Versions], str]) -> None:
    if part not in KEY_PARTS:
        KEY_PARTS.append(part)


def page_key(request: HttpRequest, found: versions.Versions, variant: str) -> str:
    language = translation.get_language()
    parts = [part(found) for part in KEY_PARTS]
    raw = "|".join([release(), language, str(found), *parts, request.path, variant])
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def request_versions(request: HttpRequest) -> versions.Versions:
    """The content versions, read once per request."""
    found = getattr(request, "_content_versions", None)
    if found is None:
        found = versions.current()
        setattr(request, "_content_versions", found)  # noqa: B010 (undeclared on HttpRequest)
    return found


# Storing and finding pages ---------------------------------------------------------------


def _remember(key: str, page: CachedPage | str | Kept) -> None:
    with _local_lock:
        _local_pages[key] = page
        _local_pages.move_to_end(key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)


def _lookup(key: str, kind: type[CachedPage] | type[str] | type[Kept] = CachedPage):
    with _local_lock:
        page = _local_pages.get(key)
        if page is not None:
            _local_pages.move_to_end(key)
            return page
    page = cache_get(key)
    if isinstance(page, kind):
        _remember(key, page)
        return page
    return None


def _part_key(request: HttpRequest, name: str) -> str:
    return "part:" + page_key(request, request_versions(request), name)


def cached_part(request: HttpRequest, name: str) -> str | None:
    """A part of a page (or a page less its form) kept per database state, whether or
    not the page cache is on: the same keys as whole pages (versions, release, language,
    round, path), `name` telling the parts of one page apart."""
    return _lookup(_part_key(request, name), str)


def store_part(request: HttpRequest, name: str, html: str) -> None:
    """Keep `html`, which must hold nothing specific to the visitor (no CSRF token)."""
    key = _part_key(request, name)
    cache_set(key, html, PAGE_SECONDS)
    _remember(key, html)


def kept_per_state[T](request: HttpRequest, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, a value read from the database, kept per database state whether or
    not the page cache is on: under the content versions (read once per request) and the
    release, in this process and the shared cache. `name` must say everything else the
    value depends on (a view's filters, the editions it compares). Only for values that
    depend on published rows alone, which are what move the versions."""
    raw = "|".join([release(), str(request_versions(request)), name])
    key = "state:" + hashlib.sha256(raw.encode()).hexdigest()
    found = _lookup(key, Kept)
    if found is not None:
        return found.value
    value = compute()
    kept = Kept(value)
    cache_set(key, kept, PAGE_SECONDS)
    _remember(key, kept)
    return value


def rendered_once(
    name: str, *, params: tuple[str, ...] = (), content_type: str = "text/html; charset=utf-8"
):
    """For a view whose 200 answer is the same for every visitor in a given database
    state: keep its text (HTML, or the API's JSON with its `content_type`) as a part
    (whether or not the page cache is on), so it is rendered once per database state,
    language and round, not once per request. Only
    canonical query strings (`params`, each once) are kept; other requests, answers
    that set a cookie or use a CSRF token, and views that say `page_cacheable = False`
    run as usual."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            variant = _canonical_query(request, params)
            if request.method not in ("GET", "HEAD") or variant is None:
                return view(request, *args, **kwargs)
            part = f"{name}?{variant}"
            if (text := cached_part(request, part)) is not None:
                return HttpResponse(text, content_type=content_type)
            response = view(request, *args, **kwargs)
            if _shareable(request, response):
                store_part(request, part, response.content.decode())
            return response

        return wrapper

    return decorate


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """True if `response` may be kept and given to anyone asking in this state."""
    personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    cacheable = getattr(response, "page_cacheable", True)
    return response.status_code == 200 and not personal and cacheable and not response.streaming


def _store(key: str, response: HttpResponse) -> CachedPage:
    content = response.content
    page = CachedPage(
        content=content,
        content_type=response["Content-Type"],
        etag='"' + hashlib.sha256(content).hexdigest()[:32] + '"',
        headers=tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name)),
    )
    cache_set(key, page, PAGE_SECONDS)
    _remember(key, page)
    return page


def _answer(request: HttpRequest, page: CachedPage, response: HttpResponse | None = None):
    if page.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    elif response is None:
        response = HttpResponse(page.content, content_type=page.content_type)
    for name, value in page.headers:
        response[name] = value
    response["ETag"] = page.etag
    # Browsers and proxies may keep a copy but must ask again before using it: a
    # withheld comment must disappear at once. Asking again costs a 304.
    patch_cache_control(response, public=True, no_cache=True)
    # The language can come from a cookie: a browser must not reuse a copy in the
    # language it had before switching.
    patch_vary_headers(response, ("Cookie",))
    return response


def _canonical_query(request: HttpRequest, params: tuple[str, ...]) -> str | None:
    """The query string to cache under, or None if the request must be redirected
    to it first (unknown parameters, or one given twice)."""
    query = request.GET
    kept = [(name, query[name]) for name in params if query.get(name, "") != ""]
    canonical = urlencode(sorted(kept))
    plain = all(name in params and len(query.getlist(name)) == 1 for name in query)
    if not plain or len(kept) != len(query):
        return None
    return canonical


def cached_page(
    view: Callable | None = None, *, params: tuple[str, ...] = (), redirect: bool = True
):
    """Serve a public GET page from the cache, with an ETag for revalidation.

    Only 200 responses are cached, that set no cookie, used no CSRF token and that the
    view did not mark `page_cacheable = False` (a query value it does not know).
    Query strings may hold `params` only, each once and not empty; anything else is
    redirected to that canonical form (or, with `redirect=False`, as for the API, passed
    to the view and not cached), so nobody can fill the cache with variants.
    """
    if view is None:
        return functools.partial(cached_page, params=params, redirect=redirect)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not enabled() or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        variant = _canonical_query(request, params)
        if variant is None and not redirect:
            return view(request, *args, **kwargs)
        if variant is None:
            kept = {name: request.GET[name] for name in params if request.GET.get(name)}
            target = request.path + ("?" + urlencode(sorted(kept.items())) if kept else "")
            return HttpResponseRedirect(target)
        key = page_key(request, request_versions(request), variant)
        page = _lookup(key)
        if page is not None:
            return _answer(request, page)
        response = view(request, *args, **kwargs)
        if not _shareable(request, response):
            return response
        return _answer(request, _store(key, response), response)

    setattr(wrapper, "page_cache_params", params)  # noqa: B010 (a mark on the view function)
    return wrapper


class CachedPageMiddleware:
    """Answers a cached page before most of the middleware runs, as WhiteNoise does for
    static files: a hit costs one small query and no template.

    It runs after SecurityMiddleware (HSTS, nosniff, referrer policy, HTTPS redirect)
    and the CSP middleware, which still add their headers. What it skips, and so must
    do itself, is listed here and tested to give the same headers as the full stack
    (tests/guide/test_caching.py):
    - SessionMiddleware, AuthenticationMiddleware, MessageMiddleware, CsrfViewMiddleware,
      simple-history's and axes' middleware: nothing for a cacheable page, which sets no
      cookie and reads no session;
    - LocaleMiddleware: the language (from the cookie or Accept-Language), the
      Content-Language header and Vary: Accept-Language;
    - CommonMiddleware: host validation and Content-Length;
    - XFrameOptionsMiddleware: X-Frame-Options.
    Only plain GET/HEAD requests without a query string, for a view wrapped in
    `cached_page`, are answered here; everything else goes on as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            enabled()
            and request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and self._cacheable_view(request)
        ):
            response = self._hit(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _cacheable_view(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return hasattr(match.func, "page_cache_params")

    def _hit(self, request: HttpRequest) -> HttpResponse | None:
        request.get_host()  # validates the host, as CommonMiddleware would
        language = translation.get_language_from_request(request)
        with translation.override(language):
            try:
                key = page_key(request, request_versions(request), "")
            except DatabaseError:
                return None  # the view's own error handling answers (503)
        page = _lookup(key)
        if page is None:
            return None
        response = _answer(request, page)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        if not isinstance(response, HttpResponseNotModified):
            response["Content-Length"] = str(len(page.content))
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
