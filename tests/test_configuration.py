"""The README, docs/operations.md and the code agree: every variable in the README's
configuration table is read in config/settings.py or config/gunicorn.py, and every
variable they read is in the table; the variables, commands and tests the operations
page names exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OPERATIONS = BASE_DIR / "docs" / "operations.md"
# Upper-case names docs/operations.md writes that are settings, not environment variables.
SETTINGS_NOT_VARIABLES = {"CONN_HEALTH_CHECKS"}  # a key of DATABASES["default"]
READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list"}


def _read_in(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            func, first = node.func, node.args[0]
            reads = (isinstance(func, ast.Name) and func.id in READERS) or (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "environ"
            )
            if reads and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def _in_readme() -> set[str]:
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_the_readme_table_and_the_settings_name_the_same_variables():
    code = _read_in(BASE_DIR / "config" / "settings.py") | _read_in(
        BASE_DIR / "config" / "gunicorn.py"
    )
    readme = _in_readme()
    assert len(readme) > 20 and "DATABASE_URL" in code  # both sides were found
    assert sorted(readme - code) == [], "in the README but never read"
    assert sorted(code - readme) == [], "read by the code but not in the README"


def test_every_variable_the_operations_page_names_is_in_the_readme_table():
    text = OPERATIONS.read_text(encoding="utf-8")
    named = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`", text))
    assert "COMMENT_RATE_LIMIT" in named  # the page was read
    assert sorted(named - SETTINGS_NOT_VARIABLES - _in_readme()) == []
    settings_py = (BASE_DIR / "config" / "settings.py").read_text(encoding="utf-8")
    assert all(f'"{name}"' in settings_py for name in SETTINGS_NOT_VARIABLES)


def test_every_command_the_readme_and_operations_page_name_exists():
    from django.core.management import get_commands

    named = set()
    for path in (BASE_DIR / "README.md", OPERATIONS):
        named |= set(re.findall(r"manage\.py ([a-z_]+)", path.read_text(encoding="utf-8")))
    assert {"backup", "erase_commenter"} <= named  # both pages were read
    assert sorted(named - set(get_commands())) == []


def test_every_test_the_operations_page_names_exists():
    named = set(re.findall(r"`(tests/[^`:]+\.py)", OPERATIONS.read_text(encoding="utf-8")))
    assert len(named) > 10
    assert sorted(path for path in named if not (BASE_DIR / path).is_file()) == []
