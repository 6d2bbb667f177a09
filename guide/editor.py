"""The editors' Markdown endpoints (preview and image upload) and the serving of
uploaded images.

markdownx's own views answer a bad request with a 500 (a preview without text, an
upload that is not a picture) and trust the browser's word for a file's type. These
take the same URLs and answers as markdownx's JavaScript expects, and believe only
Pillow: an upload is kept only if Pillow can read it as one of the allowed formats, and
is stored under a new name with the extension of what it really is.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from PIL import Image, UnidentifiedImageError

from core.markdown import render

# What Pillow calls a format → (its MIME type, the extension we store it under).
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
# Beyond this many pixels Pillow refuses to decode (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000


def editors_only(view):
    """Only staff who may edit the guide may preview or upload."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm("guide.change_section")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def image_format(file) -> str | None:
    """The allowed format Pillow reads `file` as, or None. Checks the whole image."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)
    return found if found in IMAGE_FORMATS else None


def _refuse(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"image": [message]}, status=status)


@editors_only
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render(request.POST.get("content", "")))


@editors_only
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    file = request.FILES.get("image")
    if file is None:
        return _refuse(_("Choose an image to upload."))
    if (file.size or 0) > settings.MARKDOWNX_UPLOAD_MAX_SIZE:
        return _refuse(
            _("The image is too large: at most %(mb)s MB.")
            % {"mb": settings.MARKDOWNX_UPLOAD_MAX_SIZE // (1024 * 1024)},
            status=413,
        )
    found = image_format(file)
    if found is None:
        return _refuse(_("This file is not a JPEG, PNG, GIF or WebP image, so we cannot use it."))
    _content_type, extension = IMAGE_FORMATS[found]
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{extension}"
    stored = default_storage.save(name, ContentFile(file.read()))
    return JsonResponse({"image_code": f"![]({default_storage.url(stored)})"})


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    """An uploaded file, in debug and production alike (several instances share the
    storage). An image goes out as the type Pillow reads it as; anything else only as a
    download, so a browser never renders something an upload slipped past the check."""
    if not path.startswith(settings.MARKDOWNX_MEDIA_PATH) or ".." in path.split("/"):
        raise Http404
    try:
        file = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, ValueError):
        raise Http404 from None
    except Exception as error:  # SuspiciousFileOperation and friends: not ours to serve
        raise Http404 from error
    found = image_format(file)
    if found:
        response = FileResponse(file, content_type=IMAGE_FORMATS[found][0])
        # Stored names are random and never reused: the file never changes.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response = FileResponse(file, content_type="application/octet-stream", as_attachment=True)
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
