"""Helpers of the real-browser tests: serve the app with Streamlit on a free port, and
the flags Debian's Chromium needs here (headless, no network of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sppe_cli.page_bench import CHROMIUM_ARGS
from sppe_cli.serve import free_port, running

__all__ = ["CHROMIUM_ARGS", "ROOT", "SCREENSHOTS", "free_port", "serve_app"]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "build" / "screenshots"


@contextmanager
def serve_app(data_dir: Path, **env: str) -> Iterator[str]:
    """The app on ``data_dir`` (plus ``env``), started as ``sppe serve`` starts it;
    yields its URL. The server's log goes beside the data directory."""
    with running({"SPPE_DATA_DIR": str(data_dir), **env}, data_dir.parent) as url:
        yield url
