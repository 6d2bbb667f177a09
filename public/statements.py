"""The statement pages (privacy, accessibility, open data and API): their prose in
Markdown, one file a language (`templates/pages/<name>.<language>.md`), shown in one
page structure (`pages/statement.html`).

A file is a Django template first, for `{% url %}` and the settings it quotes, then
Markdown. Both run once per file, modification time and settings, not per request.
The files are ours, reviewed like any template, so the HTML they hold (the API table,
ids, `lang` on a few elements) is kept: they do not go through the allow-list that
`core.markdown.render` applies to what editors write.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

import markdown
from django.conf import settings
from django.template import Context, Template
from django.template.loader import select_template
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["attr_list", "def_list", "sane_lists"]
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>')


@dataclass(frozen=True)
class Statement:
    title: str  # from the file's first line, `# Title`
    intro: SafeString  # what comes before the first h2
    body: SafeString  # the rest
    headings: tuple[tuple[str, SafeString], ...]  # (id, text) of each h2 with an id


def statement(name: str, language: str) -> Statement:
    """The statement in `language`, in bokmål where that language has none."""
    path = select_template([f"pages/{name}.{language}.md", f"pages/{name}.nb.md"]).origin.name
    quoted = (
        settings.SITE_OWNER,
        settings.SITE_URL,
        settings.CONTACT_EMAIL,
        # The periods the privacy page promises are the ones `purge_personal_data` keeps.
        settings.RETAIN_CLIENT_HASH_DAYS,
        settings.RETAIN_EMAIL_MONTHS,
        settings.RETAIN_LOGIN_RECORDS_DAYS,
    )
    return _rendered(path, os.stat(path).st_mtime_ns, quoted)


@lru_cache(maxsize=32)
def _rendered(path: str, mtime_ns: int, quoted: tuple) -> Statement:
    site_owner, site_url, contact_email, hash_days, email_months, login_days = quoted
    with open(path, encoding="utf-8") as file:
        source = Template(file.read())
    context = {
        "site_owner": site_owner,
        "site_url": site_url,
        "contact_email": contact_email,
        "retention": {
            "client_hash_days": hash_days,
            "email_months": email_months,
            "login_days": login_days,
        },
    }
    first, _, rest = source.render(Context(context)).partition("\n")
    if not first.startswith("# "):
        raise ValueError(f"{path} must start with '# <title>'")
    html = markdown.markdown(rest, extensions=EXTENSIONS, output_format="html")
    start = html.find("<h2")
    intro, body = (html[:start], html[start:]) if start >= 0 else (html, "")
    return Statement(
        title=first[2:].strip(),
        intro=mark_safe(intro),
        body=mark_safe(body),
        headings=tuple((id_, mark_safe(text)) for id_, text in _H2.findall(body)),
    )
