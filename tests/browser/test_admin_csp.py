"""The editors' admin and its Markdown editor run under the site's Content-Security-
Policy: no inline script or style is needed, so nothing is blocked."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def admin_site(transactional_db, live_server, django_user_model):
    from django.core.management import call_command

    call_command("load_guide", stdout=io.StringIO())
    django_user_model.objects.create_superuser("admin", "admin@example.no", "et-langt-passord-123")
    return live_server.url


def test_admin_pages_and_the_markdown_editor_work_under_the_csp(admin_site, page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.goto(f"{admin_site}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "et-langt-passord-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{admin_site}/admin/")

    from guide.models import Section

    section = Section.objects.get(chapter__slug="ta-stilling", slug="formal")
    # The live preview: type Markdown, the sanitised HTML appears beside it.
    page.goto(f"{admin_site}/admin/guide/section/{section.pk}/change/", wait_until="networkidle")
    assert "/login/" not in page.url
    editor = page.locator("textarea[name=body]")
    editor.fill("## Forhåndsvisning\n\n**fet** <script>alert(1)</script>")
    editor.dispatch_event("input")
    preview = page.locator(".markdownx-preview")
    preview.locator("strong").wait_for(timeout=10_000)
    assert "<script" not in preview.inner_html()
    for path in [
        "/admin/",
        "/admin/comments/comment/",
        "/admin/guide/chapter/",
        f"/admin/guide/section/{section.pk}/change/",
        f"/admin/guide/section/{section.pk}/history/",
        "/admin/guide/edition/publish/",
        # Last: its seven editors preview at once, and the test server's in-memory
        # SQLite sometimes fails one of those parallel requests (not the app's doing).
        f"/admin/guide/chapter/{section.chapter_id}/change/",
    ]:
        # Let the markdownx editors' background previews finish before moving on.
        response = page.goto(admin_site + path, wait_until="networkidle")
        assert response.status == 200, path
        assert "/login/" not in page.url, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]

    assert violations == []
