"""Finding English in pages meant to be in Norwegian: the admin's own strings that the
catalogues translate, raw stored values and times in the wrong format. Used by the
admin language tests, with the test client (tests/comments/) and in a browser
(tests/browser/)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import simple_history

DJANGO = Path(django.__file__).parent
BASE = Path(__file__).resolve().parent.parent

# Seen in English by editors and moderators before (issue 14), whatever the catalogues say.
KNOWN_ENGLISH = {
    "Start typing to filter…",
    "Run",
    "Please correct the error below.",
    "Please correct the errors below.",
}
# Raw stored values next to an arrow ("open → partly"), microseconds, UTC offsets and
# American or ISO dates in the text people read.
RAW_VALUE = re.compile(
    r"\b(open|partly|accepted|declined|noted|out_of_scope|pending|published|withheld)"
    r"\s*→|→\s*(open|partly|accepted|declined|noted|out_of_scope|pending|published|withheld)\b"
)
BAD_TIME = re.compile(r"\d:\d\d:\d\d\.\d+|[+-]00:00\b|\b\d\d/\d\d/\d{4}\b|\b\d{4}-\d\d-\d\d\b")


def _in_catalogue(language: str, msgid: str, plural: str | None) -> bool:
    """Whether `msgid` is translated (perhaps to itself) for `language`, as opposed to
    missing, which shows the English."""
    from django.utils.translation import trans_real

    key = (msgid, 1) if plural else msgid
    catalogue = trans_real.translation(language)
    while catalogue is not None:
        if key in getattr(catalogue, "_catalog", {}):
            return True
        catalogue = getattr(catalogue, "_fallback", None)
    return False


def english_strings(language: str = "nb") -> tuple[set[str], set[str]]:
    """(every English msgid that bokmål translates differently: matched as a whole text;
    the longer ones: matched anywhere in a text)."""
    catalogues = [
        DJANGO / "contrib/admin/locale/en/LC_MESSAGES/django.po",
        DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po",
        DJANGO / "conf/locale/en/LC_MESSAGES/django.po",
        Path(simple_history.__file__).parent / "locale/de/LC_MESSAGES/django.po",
        BASE / "locale/en/LC_MESSAGES/django.po",
    ]
    whole, anywhere = set(KNOWN_ENGLISH), set(KNOWN_ENGLISH)
    from django.utils import translation

    # What the admin renders in bokmål: our catalogue first, then Django's own.
    with translation.override(language):
        for path in catalogues:
            for entry in polib.pofile(str(path)):
                msgid = entry.msgid
                if entry.obsolete or entry.msgctxt or not msgid.strip():
                    continue
                if "<" in msgid:
                    continue
                norwegian = (
                    translation.ngettext(msgid, entry.msgid_plural, 1)
                    if entry.msgid_plural
                    else translation.gettext(msgid)
                )
                same = norwegian.strip().lower() == msgid.strip().lower()
                if same and _in_catalogue(language, msgid, entry.msgid_plural):
                    continue  # the same word in both languages ("Status", "Filter")
                whole.add(msgid.strip())
                if len(msgid.split()) >= 4 and not _PLACEHOLDER.search(msgid):
                    anywhere.add(msgid.strip())
    return whole, anywhere


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
_compiled: dict[int, list[re.Pattern]] = {}


def _patterns(whole: set[str]) -> list[re.Pattern]:
    """The msgids with placeholders and two words or more, as patterns matching a
    whole text ("Change history: %s" matches "Change history: Del 1")."""
    if id(whole) not in _compiled:
        _compiled[id(whole)] = [
            re.compile(".+?".join(re.escape(part) for part in _PLACEHOLDER.split(msgid)))
            for msgid in whole
            if _PLACEHOLDER.search(msgid) and len(_PLACEHOLDER.sub("", msgid).split()) >= 2
        ]
    return _compiled[id(whole)]


class _Text(HTMLParser):
    """The text a person reads or hears: text nodes and the labels in attributes."""

    SKIP = {"script", "style", "textarea", "template"}
    ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        for name in self.ATTRIBUTES & attrs.keys():
            self.texts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.texts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def _texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [t for t in (" ".join(t.split()) for t in parser.texts) if t]


def english_in(html: str, whole: set[str], anywhere: set[str]) -> list[str]:
    found = []
    for text in _texts(html):
        bare = text.rstrip(":").strip()
        if text in whole or bare in whole or any(p.fullmatch(text) for p in _patterns(whole)):
            found.append(text)
            continue
        found += [f"{s!r} in {text!r}" for s in anywhere if s in text]
        if RAW_VALUE.search(text) or BAD_TIME.search(text):
            found.append(text)
    return found
