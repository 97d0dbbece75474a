from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import streamlit as st

from tests.tiny import TODAY, write_tiny_extracts

pytest_plugins = ["tests.pg"]

# Sign-in fails closed without a mode: the tests run the demo mode unless they set
# another one (or unset it, SPPE_AUTH_MODE="", to test the closed app). Set here so the
# app servers the browser tests start inherit it too.
os.environ.setdefault("SPPE_AUTH_MODE", "demo")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _clear_caches() -> None:
    from sppe_data import db, store

    st.cache_data.clear()
    st.cache_resource.clear()
    db.reset()
    store.reset_cache()


def migrated(data_dir: Path) -> Path:
    """A data directory whose SQLite store is at the current schema (as `sppe migrate`
    leaves it); SPPE_DATABASE_URL must not point elsewhere."""
    from sppe_data import store

    store.migrate(f"sqlite:///{data_dir / store.engine.SQLITE_FILE}")
    return data_dir


@pytest.fixture
def tiny_data(tmp_path, monkeypatch) -> Path:
    """The hand-made data set, with today pinned to its data date."""
    data_dir = migrated(write_tiny_extracts(tmp_path / "data"))
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPPE_TODAY", TODAY.isoformat())
    _clear_caches()
    yield data_dir
    _clear_caches()


@pytest.fixture
def empty_data(tmp_path, monkeypatch) -> Path:
    """A data directory with no extract at all."""
    data_dir = tmp_path / "empty"
    data_dir.mkdir()
    migrated(data_dir)
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.delenv("SPPE_TODAY", raising=False)
    _clear_caches()
    yield data_dir
    _clear_caches()


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium est requis en CI (apt-get install chromium).")
        pytest.skip("Chromium absent : test navigateur ignoré (apt-get install chromium).")
    return path


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    path = SHARED / "reference"
    if not path.is_dir():
        pytest.skip("shared/reference absent (présent en CI)")
    return path


@pytest.fixture(scope="session")
def browser(chromium):
    """One headless Chromium for the real-browser tests (Playwright drives it)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium):
    """The app on the tiny data set, today pinned to its data date (read-only tests)."""
    from tests.browser import serve_app

    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("browser") / "data"))
    with serve_app(data_dir, SPPE_TODAY=TODAY.isoformat()) as url:
        yield url
