"""Editors' image uploads: only real images are kept, and they are served in the
production configuration with headers that let a browser do nothing else with them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publishing.services import edition_publish
from tests.factories import edit

AJAX = {"x-requested-with": "XMLHttpRequest"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _stored() -> list[str]:
    try:
        return default_storage.listdir("guide/")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10,  # the right magic, then junk
        b"",
    ],
)
def test_a_file_that_is_not_an_image_is_refused_with_a_message(guide, client, editor, content):
    client.force_login(editor)
    fake = SimpleUploadedFile("bilde.png", content, content_type="image/png")
    response = client.post("/markdownx/upload/", {"image": fake}, headers=AJAX)
    assert response.status_code == 400
    assert "bilde" in response.json()["image"][0]  # "…ikke et JPEG-, PNG-, GIF- eller WebP-bilde"
    assert _stored() == []


def test_an_upload_without_a_file_is_refused_not_a_crash(guide, client, editor):
    client.force_login(editor)
    response = client.post("/markdownx/upload/", {}, headers=AJAX)
    assert response.status_code == 400 and response.json()["image"]


def test_a_real_image_is_stored_under_a_new_name_with_its_real_type(guide, client, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("bilde.gif", png_bytes(), content_type="image/gif")
    response = client.post("/markdownx/upload/", {"image": upload}, headers=AJAX)
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert re.fullmatch(r"!\[\]\(/media/guide/[0-9a-f]{32}\.png\)", code), code
    assert len(_stored()) == 1


def test_an_uploaded_image_shows_on_the_published_page_with_debug_off(
    guide, client, editor, settings
):
    client.force_login(editor)
    upload = SimpleUploadedFile("kart.png", png_bytes(), content_type="image/png")
    code = client.post("/markdownx/upload/", {"image": upload}, headers=AJAX).json()["image_code"]
    url = code[len("![](") : -1]
    section = guide["chapters"][0].sections.get(slug="del-1")
    edit(section, body=f"Et kart:\n\n![Kart over kommunen]({url})")
    edition_publish(number="1.0", title="Versjon 1.0")
    client.logout()

    settings.DEBUG = False  # the URL patterns serve media whatever DEBUG is
    page = client.get("/veileder/forord/").content.decode()
    assert f'src="{url}"' in page
    image = client.get(url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in image.get("Content-Disposition", "")
    assert b"".join(image.streaming_content) == png_bytes()


def test_a_stored_file_that_is_not_an_image_is_only_ever_a_download(db, client, settings):
    settings.DEBUG = False
    default_storage.save("guide/lurt.png", ContentFile(b"<html><script>alert(1)</script>"))
    response = client.get("/media/guide/lurt.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/media/guide/finnes-ikke.png", "/media/annet/x.png"])
def test_missing_or_foreign_media_answers_404(db, client, path):
    assert client.get(path).status_code == 404
