"""The data layer stands alone: importing any module of ``sppe_data`` pulls in no
Streamlit (the command line and scheduled jobs use it without a Streamlit server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Imports every module of the given packages, in a fresh interpreter, and reports whether
# Streamlit got imported, by which module first, and which modules hold it at top level.
# ``__main__`` modules run the command line when imported; migration scripts only run
# inside Alembic (their folder is not a package, so the walk does not enter it anyway).
PROBE = """
import importlib, json, pkgutil, sys, types

imported, first = [], None

def load(name):
    global first
    had = "streamlit" in sys.modules
    module = importlib.import_module(name)
    imported.append(name)
    if first is None and not had and "streamlit" in sys.modules:
        first = name
    return module

for package in sys.argv[1:]:
    root = load(package)
    if hasattr(root, "__path__"):
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            last = info.name.rsplit(".", 1)[-1]
            if last != "__main__" and ".migrations" not in info.name:
                load(info.name)
holders = sorted(
    name
    for name in imported
    if any(
        isinstance(v, types.ModuleType) and v.__name__.split(".")[0] == "streamlit"
        for v in vars(sys.modules[name]).values()
    )
)
print(json.dumps({"imported": imported, "streamlit": "streamlit" in sys.modules,
                  "first": first, "holders": holders}))
"""


def probe(*packages: str, tmp_path: Path) -> dict:
    env = {**os.environ, "SPPE_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *packages],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_module_of_the_data_layer_imports_streamlit(tmp_path):
    result = probe("sppe_data", tmp_path=tmp_path)
    # The walk really went through the package, sub-packages included.
    assert {"sppe_data.api", "sppe_data.steering", "sppe_data.territory", "sppe_data.db"} <= set(
        result["imported"]
    )
    assert any(name.startswith("sppe_data.store.") for name in result["imported"])
    assert not result["streamlit"], (
        f"Streamlit imported by the data layer: first by {result['first']}; "
        f"modules importing it at top level: {result['holders']}"
    )


def test_the_probe_sees_a_streamlit_import(tmp_path):
    """The same probe on the cache module (above the data layer) finds Streamlit: the
    check above can fail."""
    result = probe("ui.cache", tmp_path=tmp_path)
    assert result["streamlit"]
    assert result["first"] == "ui.cache"
    assert "ui.cache" in result["holders"]
