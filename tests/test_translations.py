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
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
TEMPLATES_DIR = BASE_DIR / "templates"
PYTHON_DIRS = ["guide", "accounts", "comments", "config", "archive", "subscriptions"]
LANGUAGES = ["nb", "nn", "en"]


# --- A small .po parser ---------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]
        return [self.msgstr]

    @property
    def untranslated(self) -> bool:
        return not self.translations or any(s == "" for s in self.translations)

    def label(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), body)


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def parse_po(path: Path) -> list[Entry]:
    """Parse a gettext .po file into entries (the header is the entry with msgid "")."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: tuple[str, int | None] | None = None  # the field a continuation line extends
    seen_msgid = False

    def finish() -> None:
        nonlocal current, last, seen_msgid
        if current is not None and seen_msgid:
            entries.append(current)
        current, last, seen_msgid = None, None, False

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        obsolete = False
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue  # previous-msgid comments of an obsolete entry
        elif line.startswith("#"):
            # Comments come before msgid, so one after a msgid starts the next entry.
            if seen_msgid:
                finish()
            if current is None:
                current = Entry(line=lineno)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue  # translator, extracted, reference and previous-msgid comments
        if current is None:
            current = Entry(line=lineno)
        current.obsolete = current.obsolete or obsolete

        if line.startswith('"'):
            if last is None:
                raise ValueError(f"{path}:{lineno}: continuation line outside an entry")
            text = _unquote(line, path, lineno)
            name, index = last
            if name == "msgstr_plural":
                current.msgstr_plural[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue

        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{path}:{lineno}: cannot parse {raw!r}")
        keyword, index, quoted = match[1], match[2], match[3]
        text = _unquote(quoted, path, lineno)
        if keyword in ("msgctxt", "msgid") and seen_msgid and last and last[0].startswith("msgstr"):
            # A new entry without a blank line in between.
            finish()
            current = Entry(line=lineno)
        if keyword == "msgctxt":
            current.msgctxt, last = text, ("msgctxt", None)
        elif keyword == "msgid":
            current.msgid, last, seen_msgid = text, ("msgid", None), True
            if current.line == 0:
                current.line = lineno
        elif keyword == "msgid_plural":
            current.msgid_plural, last = text, ("msgid_plural", None)
        elif index is not None:
            current.msgstr_plural[int(index)] = text
            last = ("msgstr_plural", int(index))
        else:
            current.msgstr, last = text, ("msgstr", None)
    finish()
    return [e for e in entries if not e.obsolete]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


_catalogues: dict[str, list[Entry]] = {}


def catalogue(lang: str) -> list[Entry]:
    if lang not in _catalogues:
        path = po_path(lang)
        assert path.exists(), f"{path} is missing: run makemessages -l {lang}"
        _catalogues[lang] = parse_po(path)
    return _catalogues[lang]


def messages(lang: str) -> list[Entry]:
    return [e for e in catalogue(lang) if not e.is_header]


def header(lang: str) -> dict[str, str]:
    entry = next((e for e in catalogue(lang) if e.is_header), None)
    assert entry is not None, f"{po_path(lang)} has no header entry"
    fields = {}
    for line in entry.msgstr.splitlines():
        name, _sep, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def _listing(entries: list[Entry]) -> str:
    return "\n  ".join(e.label() for e in entries)


# --- Tests of the parser itself --------------------------------------------------------


def test_parser_handles_multiline_plurals_header_and_fuzzy(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        "# comment\n"
        "#, fuzzy\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: nn\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        "\n"
        "#: a.py:1\n"
        "#, python-format\n"
        'msgid ""\n'
        '"A long %(name)s "\n'
        '"message with a \\"quote\\""\n'
        'msgstr "Ei lang %(name)s melding med eit \\"sitat\\""\n'
        "\n"
        "#, fuzzy, python-format\n"
        '#| msgid "old"\n'
        'msgid "%(n)s comment"\n'
        'msgid_plural "%(n)s comments"\n'
        'msgstr[0] "%(n)s kommentar"\n'
        'msgstr[1] ""\n'
        '"%(n)s kommentarar"\n'
        "\n"
        'msgctxt "month"\n'
        'msgid "May"\n'
        'msgstr ""\n'
        "\n"
        '#~ msgid "gone"\n'
        '#~ msgstr "borte"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [e.msgid for e in entries] == [
        "",
        'A long %(name)s message with a "quote"',
        "%(n)s comment",
        "May",
    ]
    head, long, plural, ctx = entries
    assert head.is_header and head.fuzzy and "Language: nn\n" in head.msgstr
    assert long.msgstr == 'Ei lang %(name)s melding med eit "sitat"'
    assert not long.fuzzy and not long.untranslated
    assert plural.fuzzy and plural.msgid_plural == "%(n)s comments"
    assert plural.translations == ["%(n)s kommentar", "%(n)s kommentarar"]
    assert ctx.key == ("month", "May") and ctx.untranslated


# --- The catalogues are complete ------------------------------------------------------


def test_every_configured_language_has_a_catalogue(settings):
    codes = [code for code, _name in settings.LANGUAGES]
    assert sorted(codes) == sorted(LANGUAGES)
    for code in codes:
        assert po_path(code).exists(), f"{po_path(code)} is missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header(lang):
    entry = next(e for e in catalogue(lang) if e.is_header)
    assert not entry.fuzzy, f"{po_path(lang)}: remove '#, fuzzy' from the header entry"
    fields = header(lang)
    assert fields.get("Language") == lang
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").startswith("nplurals=2;")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_not_empty(lang):
    assert len(messages(lang)) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_untranslated_entries(lang):
    missing = [e for e in messages(lang) if e.untranslated]
    assert not missing, f"{po_path(lang)}: {len(missing)} untranslated:\n  {_listing(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_fuzzy_entries(lang):
    fuzzy = [e for e in messages(lang) if e.fuzzy]
    assert not fuzzy, (
        f"{po_path(lang)}: {len(fuzzy)} fuzzy (check the translation, then remove the flag):"
        f"\n  {_listing(fuzzy)}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_every_form(lang):
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", header(lang)["Plural-Forms"])[1])
    wrong = [
        e
        for e in messages(lang)
        if e.msgid_plural is not None and sorted(e.msgstr_plural) != list(range(nplurals))
    ]
    assert not wrong, f"{po_path(lang)}: plural forms missing:\n  {_listing(wrong)}"


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    wrong = []
    for e in messages(lang):
        if "python-format" not in e.flags:
            continue
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        wanted = sorted(set().union(*(_PLACEHOLDER.findall(s) for s in sources)))
        for text in e.translations:
            if text and sorted(set(_PLACEHOLDER.findall(text))) != wanted:
                wrong.append(e)
                break
    assert not wrong, f"{po_path(lang)}: placeholders differ from the msgid:\n  {_listing(wrong)}"


def test_english_repeats_the_msgid():
    """The msgids are English, so the English catalogue translates every string to itself."""
    wrong = []
    for e in messages("en"):
        expected = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        if e.translations and e.translations != expected[: len(e.translations)]:
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
        if e.fuzzy or e.untranslated:
            continue  # msgfmt leaves these out; the tests above report them
        if e.msgid_plural is None:
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
    known = {e.key for e in messages(lang)}
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
