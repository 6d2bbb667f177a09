"""Fixtures of the reliability tests; what they start and drive is in servers.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import Databases, base_env, manage


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> None:
    """The production settings serve static files through WhiteNoise's manifest, which
    must exist before gunicorn starts."""
    scratch = tmp_path_factory.mktemp("collectstatic") / "unused.sqlite3"
    manage(base_env(f"sqlite:///{scratch}"), "collectstatic", "--no-input", "-v0")


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    try:
        yield made
    finally:
        made.drop_all()


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory, request) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
