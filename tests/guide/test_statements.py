"""The statement pages: prose per language in Markdown, one page structure."""

from __future__ import annotations

import re

import markdown
import pytest

from public import statements


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_api_page_lists_each_of_its_sections_on_top(db, client, language):
    client.cookies["django_language"] = language
    html = client.get("/apne-data/").content.decode()
    nav, _, body = html.partition('<nav class="in-page"')[2].partition("</nav>")
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) == 5
    assert re.findall(r'<h2 id="([^"]+)"', body) == targets
    assert f'<html lang="{language}">' in html


def test_a_statement_is_rendered_from_markdown_once(db, client, monkeypatch):
    statements._rendered.cache_clear()
    calls = []
    real = markdown.markdown
    monkeypatch.setattr(markdown, "markdown", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = client.get("/personvern/").content
    second = client.get("/personvern/").content
    assert first == second
    assert len(calls) == 1


def test_a_language_without_its_own_statement_gets_bokmal(db):
    bokmal = statements.statement("personvern", "nb")
    assert statements.statement("personvern", "se") == bokmal
    assert bokmal.title == "Personvernerklæring"
