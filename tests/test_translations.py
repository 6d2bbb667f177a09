"""The translation catalogues are complete, compiled and cover the strings in the code.

No database: these tests only read files under locale/, templates/ and the Python apps.

Workflow when a test here fails:

    .venv/bin/python manage.py makemessages -l nb -l nn -l en --ignore='.venv/*' \
        --ignore='content/*' --ignore='tests/*' --no-obsolete
    # translate the new or fuzzy entries in locale/<lang>/LC_MESSAGES/django.po
    .venv/bin/python manage.py compilemessages --ignore='.venv/*'
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
TEMPLATES_DIR = BASE_DIR / "templates"
PYTHON_DIRS = ["guide", "accounts", "comments", "config", "archive", "subscriptions"]
LANGUAGES = ["nb", "nn", "en"]


# --- The catalogues, read with polib ---------------------------------------------------


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


_catalogues: dict[str, polib.POFile] = {}


def catalogue(lang: str) -> polib.POFile:
    if lang not in _catalogues:
        path = po_path(lang)
        assert path.exists(), f"{path} is missing: run makemessages -l {lang}"
        _catalogues[lang] = polib.pofile(str(path))
    return _catalogues[lang]


def messages(lang: str) -> list[polib.POEntry]:
    return [e for e in catalogue(lang) if not e.obsolete]


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def untranslated(entry: polib.POEntry) -> bool:
    return not all(translations(entry))


def fuzzy(entry: polib.POEntry) -> bool:
    return "fuzzy" in entry.flags


def _listing(entries: list[polib.POEntry]) -> str:
    return "\n  ".join(f"line {e.linenum}: {e.msgid!r}" for e in entries)


# --- The catalogues are complete ------------------------------------------------------


def test_every_configured_language_has_a_catalogue(settings):
    codes = [code for code, _name in settings.LANGUAGES]
    assert sorted(codes) == sorted(LANGUAGES)
    for code in codes:
        assert po_path(code).exists(), f"{po_path(code)} is missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header(lang):
    po = catalogue(lang)
    assert not po.metadata_is_fuzzy, f"{po_path(lang)}: remove '#, fuzzy' from the header entry"
    fields = po.metadata
    assert fields.get("Language") == lang
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").startswith("nplurals=2;")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_not_empty(lang):
    assert len(messages(lang)) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_untranslated_entries(lang):
    missing = [e for e in messages(lang) if untranslated(e)]
    assert not missing, f"{po_path(lang)}: {len(missing)} untranslated:\n  {_listing(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_fuzzy_entries(lang):
    fuzzy_ones = [e for e in messages(lang) if fuzzy(e)]
    assert not fuzzy_ones, (
        f"{po_path(lang)}: {len(fuzzy_ones)} fuzzy (check the translation, then remove the "
        f"flag):\n  {_listing(fuzzy_ones)}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_every_form(lang):
    plural_forms = catalogue(lang).metadata["Plural-Forms"]
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", plural_forms)[1])
    wrong = [
        e
        for e in messages(lang)
        if e.msgid_plural and sorted(e.msgstr_plural) != list(range(nplurals))
    ]
    assert not wrong, f"{po_path(lang)}: plural forms missing:\n  {_listing(wrong)}"


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    wrong = []
    for e in messages(lang):
        if "python-format" not in e.flags:
            continue
        sources = [e.msgid, e.msgid_plural] if e.msgid_plural else [e.msgid]
        wanted = sorted(set().union(*(_PLACEHOLDER.findall(s) for s in sources)))
        for text in translations(e):
            if text and sorted(set(_PLACEHOLDER.findall(text))) != wanted:
                wrong.append(e)
                break
    assert not wrong, f"{po_path(lang)}: placeholders differ from the msgid:\n  {_listing(wrong)}"


def test_english_repeats_the_msgid():
    """The msgids are English, so the English catalogue translates every string to itself."""
    wrong = []
    for e in messages("en"):
        expected = [e.msgid, e.msgid_plural] if e.msgid_plural else [e.msgid]
        got = translations(e)
        if got and got != expected[: len(got)]:
            wrong.append(e)
    assert not wrong, f"{po_path('en')}: msgstr differs from msgid:\n  {_listing(wrong)}"


# --- The compiled .mo files match the .po files ---------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_is_compiled_from_current_po(lang):
    path = mo_path(lang)
    assert path.exists(), f"{path} is missing: run compilemessages"
    with path.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)

    stale = []
    for e in messages(lang):
        if fuzzy(e) or untranslated(e):
            continue  # msgfmt leaves these out; the tests above report them
        if not e.msgid_plural:
            got = (
                compiled.gettext(e.msgid)
                if e.msgctxt is None
                else compiled.pgettext(e.msgctxt, e.msgid)
            )
            if got != e.msgstr:
                stale.append(e)
            continue
        for index, expected in e.msgstr_plural.items():
            n = next((n for n in range(1000) if compiled.plural(n) == index), None)
            if n is None:
                continue
            got = (
                compiled.ngettext(e.msgid, e.msgid_plural, n)
                if e.msgctxt is None
                else compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
            )
            if got != expected:
                stale.append(e)
                break
    assert not stale, (
        f"{path} is out of date with {po_path(lang)} (run compilemessages):\n  {_listing(stale)}"
    )


# --- Every literal msgid in the code is in the catalogues -----------------------------

_TEMPLATE_COMMENT = re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}", re.S)
_TRANSLATE_TAG = re.compile(
    r"""\{%\s*trans(?:late)?\s+(?:"([^"\\]*?)"|'([^'\\]*?)')(?P<rest>[^%]*?)%\}"""
)
_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.S,
)
_BLOCK_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_GETTEXT_NAMES = {"gettext", "gettext_lazy", "gettext_noop", "ugettext", "ugettext_lazy"}
_NGETTEXT_NAMES = {"ngettext", "ngettext_lazy"}
_PGETTEXT_NAMES = {"pgettext", "pgettext_lazy"}


def _template_msgids() -> list[tuple[str, tuple[str | None, str]]]:
    found = []
    paths = [*TEMPLATES_DIR.rglob("*.html"), *TEMPLATES_DIR.rglob("*.txt")]
    for path in sorted(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        where = str(path.relative_to(BASE_DIR))
        text = _TEMPLATE_COMMENT.sub("", text)
        for match in _TRANSLATE_TAG.finditer(text):
            msgid = match[1] if match[1] is not None else match[2]
            if not msgid or "context" in match["rest"] or "{" in msgid:
                continue  # msgctxt or odd literals: leave them to makemessages
            # makemessages escapes % in {% translate %} literals, and so does the tag.
            found.append((where, (None, msgid.replace("%", "%%"))))
        for match in _BLOCK.finditer(text):
            args, body = match["args"], match["body"]
            if re.search(r"\b(context|asvar)\b", args):
                continue
            if re.search(r"\b(count|counter)\b", args):
                # Plural: the singular part is the msgid that identifies the entry.
                parts = re.split(r"\{%\s*plural\s*%\}", body)
                if len(parts) != 2:
                    continue
                body = parts[0]
            if "{%" in body or "{#" in body or "|" in body:
                continue  # template syntax we do not model
            if re.sub(_BLOCK_VAR, "", body).count("{{"):
                continue
            msgid = _BLOCK_VAR.sub(lambda m: f"%({m[1]})s", body.replace("%", "%%"))
            if re.search(r"\btrimmed\b", args):
                msgid = re.sub(r"\s*\n\s*", " ", msgid.strip())
            if msgid.strip():
                found.append((where, (None, msgid)))
    return found


def _python_msgids() -> list[tuple[str, tuple[str | None, str]]]:
    found = []
    for folder in PYTHON_DIRS:
        for path in sorted((BASE_DIR / folder).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                continue
            # Which local names mean gettext & co. in this module?
            aliases: dict[str, str] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                    for name in node.names:
                        aliases[name.asname or name.name] = name.name
            where = str(path.relative_to(BASE_DIR))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Name):
                    real = aliases.get(func.id)
                elif (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and (func.value.id == "translation")
                ):
                    real = func.attr
                else:
                    real = None
                if real is None:
                    continue
                args = [
                    a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                    for a in node.args
                ]
                if real in _GETTEXT_NAMES and args and args[0]:
                    found.append((f"{where}:{node.lineno}", (None, args[0])))
                elif real in _NGETTEXT_NAMES and len(args) >= 2 and args[0] and args[1]:
                    found.append((f"{where}:{node.lineno}", (None, args[0])))
                elif real in _PGETTEXT_NAMES and len(args) >= 2 and args[0] and args[1]:
                    found.append((f"{where}:{node.lineno}", (args[0], args[1])))
    return found


def test_scanner_finds_strings_in_the_code():
    """Guards the scanner itself: if it finds nothing, the next test proves nothing."""
    template_ids = {key[1] for _where, key in _template_msgids()}
    python_ids = {key[1] for _where, key in _python_msgids()}
    assert "Skip to main content" in template_ids
    assert "Norwegian Nynorsk" in python_ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_msgid_in_the_code_is_in_the_catalogue(lang):
    known = {key(e) for e in messages(lang)}
    missing = sorted(
        {
            (where, msgid)
            for where, (ctx, msgid) in _template_msgids() + _python_msgids()
            if (ctx, msgid) not in known
        }
    )
    listing = "\n  ".join(f"{where}: {msgid!r}" for where, msgid in missing)
    assert not missing, (
        f"{po_path(lang)} lacks {len(missing)} string(s) from the code. Run makemessages, "
        f"translate, then compilemessages:\n  {listing}"
    )
