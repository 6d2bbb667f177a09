from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.markdown import render
from publishing.services import edition_publish
from tests.factories import edit

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<iframe src=https://example.com></iframe>",
    "![a](javascript:alert(1))",
]
EXECUTABLE = re.compile(r"<script(?![^>]*\bsrc=)|<iframe|javascript:|\son\w+\s*=", re.IGNORECASE)


def test_markdown_renderer_strips_every_payload():
    for payload in PAYLOADS:
        assert not EXECUTABLE.search(render(payload)), payload


def test_payloads_in_a_section_leave_no_executable_markup_on_any_page(guide, client, editor):
    chapter = guide["chapters"][0]
    section = chapter.sections.get(slug="del-1")
    edit(section, body="\n\n".join(PAYLOADS))
    edit(chapter, intro="\n\n".join(PAYLOADS))
    edition_publish(number="1.0", title="Versjon 1.0")

    pages = [
        "/",
        "/veileder/",
        "/veileder/forord/",
        "/veileder/forord/del-1/",
        "/versjoner/1.0/",
        "/versjoner/1.0/forord/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert not EXECUTABLE.search(html), (url, EXECUTABLE.search(html))
    client.force_login(editor)
    preview = client.get(f"/admin/guide/chapter/{chapter.pk}/preview/").content.decode()
    main = preview[preview.index('id="main"') :]
    assert not EXECUTABLE.search(main)


def test_pages_send_a_content_security_policy_without_unsafe_inline(guide, client):
    response = client.get("/veileder/forord/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_public_pages_have_no_inline_scripts_or_styles(guide, client):
    for url in ["/", "/veileder/forord/", "/versjoner/0.9/forord/", "/personvern/"]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html and " style=" not in html, url


PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k7Qz" * 12,
    "DJANGO_ALLOWED_HOSTS": "innspill.example.no",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_is_clean():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "perhaps"),
        ("COMMENT_RATE_LIMIT", "lots"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("REDIS_URL", "localhost:6379"),
        ("RECEIPTS_PER_ADDRESS_PER_DAY", "many"),
        ("RETAIN_EMAIL_MONTHS", "0"),
    ],
)
def test_a_bad_setting_fails_at_start_naming_the_variable(name, value):
    result = _manage("check", **{**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_requires_a_secret_key():
    env = {**PRODUCTION_ENV}
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", **env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_no_view_is_exempt_from_csrf_protection():
    from django.urls import URLPattern, URLResolver, get_resolver

    def callbacks(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from callbacks(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry

    exempt = [
        str(p.pattern)
        for p in callbacks(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False)
    ]
    # One-click unsubscribe (RFC 8058): mail programs POST without a cookie. The signed
    # link is the credential, and all the POST can do is delete its own subscription.
    assert exempt == ["abonner/avslutt/<str:token>/"]
