"""``pip install .``: the dependencies pyproject declares are the pinned ones, the wheel
carries everything the app reads at run time (and nothing else), and the installed
app runs away from the checkout: ``sppe --help``, ``sppe migrate``, ``sppe indicators``
and the Synthèse page, from a throwaway environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.tiny import TODAY, write_tiny_extracts

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["app_pages", "charts", "exports", "geo", "queries", "sppe_cli", "sppe_data", "ui"]
RUNTIME_SUFFIXES = {".py", ".sql", ".csv", ".toml", ".parquet", ".mako"}
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "data", "build", "node_modules", "__pycache__", "*.egg-info",
    ".pytest_cache", ".ruff_cache", "*.pyc",
)  # fmt: skip


def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            out[canonicalize_name(name)] = version
    return out


def test_every_direct_dependency_is_pinned_in_requirements():
    pinned = pins()
    declared = [Requirement(r) for r in pyproject()["project"]["dependencies"]]
    assert declared
    for req in declared:
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} n'est pas épinglé dans requirements.txt"
        assert req.specifier.contains(pinned[name]), (req, pinned[name])
        for extra in req.extras:  # psycopg[binary] needs psycopg-binary pinned too
            needed = [
                Requirement(r) for r in metadata.requires(req.name) or []
                if f'extra == "{extra}"' in r
            ]  # fmt: skip
            assert needed, (req, extra)
            for dep in needed:
                assert canonicalize_name(dep.name) in pinned, (req, dep)
    # The "Direct:" list in the comments of requirements.txt names the same packages.
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    comments = " ".join(line[1:] for line in text.splitlines() if line.startswith("#"))
    direct = comments.split("Direct:", 1)[1].split()
    listed = {canonicalize_name(re.sub(r"\[.*\]", "", word)) for word in direct}
    assert listed == {canonicalize_name(r.name) for r in declared}


def test_the_build_backend_is_pinned_for_offline_builds():
    backend = pyproject()["build-system"]
    assert backend["build-backend"] == "setuptools.build_meta"
    dev = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    version = re.search(r"^setuptools==(\S+)$", dev, re.M)
    assert version, "setuptools doit être épinglé dans requirements-dev.txt"
    assert Requirement(backend["requires"][0]).specifier.contains(version[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the working tree (the build writes its scratch
    folders next to the sources), with a secrets file that must not be packaged."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_COPIED)
    (source / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_secret = "s"\n')
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(base / "dist"), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [built] = list((base / "dist").glob("pilotage_sppe-*.whl"))
    return built


def runtime_files() -> set[str]:
    """Every file of the packages the app reads at run time, walked on disk."""
    found = {"app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix in RUNTIME_SUFFIXES and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_wheel_holds_what_the_app_reads_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        config = z.read("sppe_cli/streamlit_config.toml")
        entry_points = z.read("pilotage_sppe-0.1.0.dist-info/entry_points.txt").decode()
        wheel_metadata = z.read("pilotage_sppe-0.1.0.dist-info/METADATA").decode()
    expected = runtime_files()
    # The hand-picked files the app cannot run without, whatever the walk finds.
    for must in ["app.py", "app_pages/synthese.py", "queries/indicator_progress.sql",
                 "queries/_macros.sql", "sppe_data/reference/poles.toml",
                 "sppe_data/reference/targets.csv", "geo/departements.parquet",
                 "sppe_data/store/migrations/env.py", "sppe_data/store/migrations/script.py.mako",
                 "sppe_cli/streamlit_config.toml"]:  # fmt: skip
        assert must in expected and must in names, must
    missing = sorted(expected - names)
    assert not missing, f"absents du paquet : {missing}"
    tops = {n.split("/")[0] for n in names}
    assert tops == {*PACKAGES, "app.py", "pilotage_sppe-0.1.0.dist-info"}
    assert not [n for n in names if "secrets" in n or "__pycache__" in n or n.startswith("tests")]
    assert config == (ROOT / ".streamlit" / "config.toml").read_bytes()
    assert re.search(r"^sppe = sppe_cli\.main:run$", entry_points, re.M)
    declared = {canonicalize_name(Requirement(r).name)
                for r in pyproject()["project"]["dependencies"]}  # fmt: skip
    required = {canonicalize_name(Requirement(line.split(": ", 1)[1]).name)
                for line in wheel_metadata.splitlines()
                if line.startswith("Requires-Dist: ")}  # fmt: skip
    assert required == declared


def test_the_installed_app_runs_outside_the_checkout(wheel, tmp_path):
    """A throwaway environment with the wheel installed; the dependencies come from the
    project's environment (a path file), not from a registry."""
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True,
                   timeout=60)  # fmt: skip
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--no-compile", "--quiet", str(wheel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    work = tmp_path / "ailleurs"  # no checkout here: ./data is the default data directory
    write_tiny_extracts(work / "data")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SPPE_") and k != "PYTHONPATH"}  # fmt: skip
    env |= {"SPPE_TODAY": TODAY.isoformat(), "SPPE_AUTH_MODE": "demo"}

    def sppe(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(env_dir / "bin" / "sppe"), *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    helped = sppe("--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("utilisation : sppe")
    where = subprocess.run(
        [str(python), "-c", "import sppe_data, app_pages, queries; print(sppe_data.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(site), where

    migrated = sppe("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (work / "data" / "sppe.sqlite3").is_file()
    figures = sppe("indicators", "--year", "2026", "--pole", "all", "--format", "json")
    assert figures.returncode == 0, figures.stderr
    rows = {r["indicator_code"]: r for r in json.loads(figures.stdout)["indicators"]}
    assert (rows["controles_sensibles"]["realised_count"], rows["suivis_ida"]["realised_count"]
            ) == (3, 3)  # fmt: skip

    page = subprocess.run(
        [str(python), "-c", APP_TEST, str(Path(site) / "app.py")],
        cwd=work, env={**env, "SPPE_DATA_DIR": str(work / "data")},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert page.returncode == 0, page.stderr
    result = json.loads(page.stdout.strip().splitlines()[-1])
    assert result["exceptions"] == []
    assert result["title"] == "Synthèse des indicateurs"
    assert any(t.startswith("3 réalisés sur 50") for t in result["kpis"]), result["kpis"]


# Runs the installed app.py once (demo mode, year 2026) and prints what the page shows.
APP_TEST = """
import json, re, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=60)
at.session_state["annee"] = "2026"
at.run()
texts = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown]
print(json.dumps({
    "exceptions": [e.value for e in at.exception],
    "title": at.title[0].value if at.title else None,
    "kpis": [t for t in texts if "réalisés sur" in t],
}))
"""
