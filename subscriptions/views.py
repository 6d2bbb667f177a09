"""Subscribing to changes: a form, a confirmation link, a one-click unsubscribe."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core import ratelimit
from core.client import client_hashes
from guide.models import Chapter, Edition
from guide.selectors import edition_chapters
from subscriptions.forms import SubscribeForm
from subscriptions.services import (
    subscription_confirm,
    subscription_delete,
    subscription_from_token,
    subscription_request,
)


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a personal link: never cached, never indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    edition = Edition.objects.current()
    chapters = edition_chapters(edition) if edition else []
    initial = {}
    if (slug := request.GET.get("kapittel")) is not None:
        chosen = next((c for c in chapters if c.slug == slug), None)
        if chosen is not None:
            initial["what"] = str(chosen.chapter_id)
    form = SubscribeForm(request.POST or None, chapters=chapters, initial=initial)
    context = {"edition": edition, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "subscriptions/subscribe.html", context, status=400)
        chapter_id = form.cleaned_data["what"]
        chapter = Chapter.objects.filter(pk=chapter_id).first() if chapter_id else None
        try:
            subscription_request(
                email=form.cleaned_data["email"],
                chapter=chapter,
                language=get_language() or "nb",
                client_hashes=client_hashes(request),
            )
        except ratelimit.RateLimited:
            form.add_error(
                None, _("You have asked many times in a short time. Wait a few minutes.")
            )
            return render(request, "subscriptions/subscribe.html", context, status=429)
        # The same answer whether the address was new, waiting or confirmed: the page
        # never tells anyone which addresses are subscribed.
        # A fragment of its own, or the browser keeps the form's #error-summary.
        return HttpResponseRedirect(reverse("subscriptions:sent") + "#main")
    return render(request, "subscriptions/subscribe.html", context)


@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    context = {
        "edition": Edition.objects.current(),
        "title": _("Check your e-mail"),
        "lines": [
            _(
                "If the address is right, we have sent you an e-mail with a link. Open the "
                "link to confirm. Until you do, we send you nothing else."
            ),
            _("The link works for a week. If you do not confirm, we delete the address."),
        ],
    }
    return render(request, "subscriptions/message.html", context)


def _invalid(request: HttpRequest) -> HttpResponse:
    context = {
        "edition": Edition.objects.current(),
        "title": _("The link does not work"),
        "lines": [
            _(
                "The link may be too old, or the subscription is already gone. You can ask "
                "for e-mail again."
            )
        ],
        "subscribe_link": True,
    }
    return _private(render(request, "subscriptions/message.html", context, status=404))


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A button to confirm, not a confirming link: mail scanners open links."""
    subscription = subscription_from_token(token, purpose="confirm")
    if subscription is None:
        return _invalid(request)
    context: dict[str, object] = {
        "edition": Edition.objects.current(),
        "subscription": subscription,
    }
    if request.method == "POST":
        subscription_confirm(subscription=subscription)
        context.update(
            title=_("You are subscribed"),
            lines=[
                _("We will send you an e-mail when a new version is published.")
                if subscription.chapter is None
                else _("We will send you an e-mail when a new version changes “%(title)s”.")
                % {"title": subscription.chapter.title},
                _("Every e-mail has a link to unsubscribe."),
            ],
        )
        return _private(render(request, "subscriptions/message.html", context))
    return _private(render(request, "subscriptions/confirm.html", context))


@csrf_exempt  # one-click unsubscribe (RFC 8058): mail programs POST without a cookie
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_from_token(token, purpose="unsubscribe")
    if subscription is None:
        if request.method == "POST":  # already gone: unsubscribing twice is no error
            return _private(_done(request))
        return _invalid(request)
    if request.method == "POST":
        subscription_delete(subscription=subscription)
        return _private(_done(request))
    context = {"edition": Edition.objects.current(), "subscription": subscription}
    return _private(render(request, "subscriptions/unsubscribe.html", context))


def _done(request: HttpRequest) -> HttpResponse:
    context = {
        "edition": Edition.objects.current(),
        "title": _("You are unsubscribed"),
        "lines": [
            _(
                "We have deleted your e-mail address and everything you subscribed to "
                "with it. You will get no more e-mail from us."
            )
        ],
        "subscribe_link": True,
    }
    return render(request, "subscriptions/message.html", context)
