"""The ``sppe`` command line: French usage errors, ``indicators`` against figures worked
out by hand from the tiny data set, every reading command failing (exit 1, French
message, no figure) when the store or an extract cannot be read, and ``serve``'s
Streamlit command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from sppe_cli import serve
from sppe_cli.main import main
from tests.tiny import ACTIVITIES, TODAY, write_tiny_extracts

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "sppe_data" / "reference"
POLES = ["idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest"]


# --- expected figures, from the reference files and the tiny rows only -------------------


def _reference_rows(name: str) -> list[dict]:
    with (REFERENCE / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def expected_indicators(year: int, pole: str) -> dict[str, dict]:
    """indicator code -> realised, target, expected, pace, status, forecast, as the
    README defines them (linear share of the operating window, thresholds 95 % / 80 %)."""
    kinds = {r["activity_kind"]: r["indicator_code"] for r in _reference_rows("activity_kinds.csv")}
    with (REFERENCE / "poles.toml").open("rb") as fh:
        shares = {p["code"]: p["target_share"] for p in tomllib.load(fh)["poles"]}
    share = 1.0 if pole == "all" else shares[pole]
    out = {}
    for t in _reference_rows("targets.csv"):
        if int(t["year"]) != year:
            continue
        start, end = date.fromisoformat(t["counted_from"]), date.fromisoformat(t["counted_to"])
        elapsed = min(max((TODAY - start).days + 1, 0), (end - start).days + 1) / (
            (end - start).days + 1
        )
        realised = sum(
            1
            for _id, kind, p, status, on in ACTIVITIES
            if kinds.get(kind) == t["indicator_code"]
            and status == "done"
            and date(year, 1, 1) <= on <= min(date(year, 12, 31), TODAY)
            and (pole == "all" or p == pole)
        )
        target = float(t["target_count"]) * share
        expected = target * elapsed
        pace = realised / expected if expected else None
        status = (
            "not_started"
            if not expected
            else "on_track"
            if pace >= 0.95
            else "watch"
            if pace >= 0.80
            else "behind"
        )
        out[t["indicator_code"]] = {
            "realised_count": realised,
            "target_count": target,
            "expected_count": expected,
            "achieved_share": realised / target,
            "pace_ratio": pace,
            "pace_status": status,
            "forecast_count": realised / elapsed if elapsed else None,
        }
    return out


def french_number(text: str) -> float | None:
    return None if text == "" else float(text.replace(",", "."))


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- usage --------------------------------------------------------------------------------


def test_usage_errors_are_french_with_exit_code_2(capsys):
    for argv, expected in [
        (["indicators"], "arguments obligatoires : --year"),
        (["indicators", "--year", "26"], "année invalide « 26 »"),
        (["indicators", "--year", "2026", "--format", "xml"], "valeur « xml » inconnue"),
        (["nope"], "valeur « nope » inconnue"),
        (["deck", "--period", "2026-S1"], "arguments obligatoires : --out"),
        (["serve", "--port", "99999"], "port invalide"),
        (["users", "set-role", "x"], "arguments obligatoires : --role"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2, argv
        assert err.startswith("utilisation : sppe"), err
        assert expected in err, err
        for english in (
            "usage:",
            "error:",
            "required",
            "invalid choice",
            "invalid int",
            "choose from",
        ):
            assert english not in err, (argv, err)


def test_help_lists_every_command_in_french(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    commands = ["serve", "migrate", "backup", "restore", "indicators", "import-activities", "demo",
                "check", "bench", "deck", "import-coverage", "users", "journal"]  # fmt: skip
    for command in commands:
        assert f"\n    {command}" in out, command
    assert "affiche cette aide" in out and "show this help" not in out


def test_python_m_sppe_data_still_runs_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "sppe_data", "indicators", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("utilisation : python -m sppe_data indicators")


# --- indicators ---------------------------------------------------------------------------


def test_indicators_csv_is_the_synthese_of_the_mission(tiny_data, tmp_path, capsys):
    out = tmp_path / "indicateurs.csv"
    code, stdout, _ = run(["indicators", "--year", "2026", "--pole", "all", "--out", str(out)],
                          capsys)  # fmt: skip
    assert code == 0 and stdout == ""
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # like the app's CSV exports: Excel in French
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    expected = expected_indicators(2026, "all")
    assert [r["indicator_code"] for r in rows] == list(expected)
    assert {r["pole_code"] for r in rows} == {"all"}
    assert {r["as_of"] for r in rows} == {"31/01/2026"}
    for r in rows:
        e = expected[r["indicator_code"]]
        assert int(r["realised_count"]) == e["realised_count"]
        assert french_number(r["target_count"]) == pytest.approx(e["target_count"], abs=0.05)
        assert french_number(r["expected_count"]) == pytest.approx(e["expected_count"], abs=0.05)
        assert french_number(r["achieved_share"]) == pytest.approx(e["achieved_share"], abs=5e-5)
        assert french_number(r["pace_ratio"]) == pytest.approx(e["pace_ratio"], abs=5e-5)
        assert french_number(r["forecast_count"]) == pytest.approx(e["forecast_count"], abs=0.05)
        assert r["pace_status"] == e["pace_status"]
    by_code = {r["indicator_code"]: r for r in rows}
    # Hand check of one line: 3 sensitive controls done by 31/01 (A01, A02, A06) for a
    # target of 50, expected 50 x 31/365 = 4.25: pace 70.6 %, behind, forecast 35.3.
    sensitive = by_code["controles_sensibles"]
    assert (sensitive["realised_count"], sensitive["expected_count"]) == ("3", "4,2")
    assert (sensitive["pace_status"], sensitive["pace_status_label"]) == ("behind", "En retard")
    assert sensitive["forecast_count"] == "35,3"
    assert sensitive["indicator_label"] == "Contrôles sensibles"


def test_indicators_json_for_one_pole_and_every_pole(tiny_data, capsys):
    code, stdout, _ = run(["indicators", "--year", "2026", "--pole", "idf_hdf",
                           "--format", "json"], capsys)  # fmt: skip
    assert code == 0
    document = json.loads(stdout)
    assert (document["year"], document["pole"], document["as_of"]) == (2026, "idf_hdf",
                                                                       "2026-01-31")  # fmt: skip
    expected = expected_indicators(2026, "idf_hdf")
    rows = document["indicators"]
    assert [r["indicator_code"] for r in rows] == list(expected)
    for r in rows:
        e = expected[r["indicator_code"]]
        assert r["pole_code"] == "idf_hdf"
        assert r["realised_count"] == e["realised_count"]
        assert r["target_count"] == pytest.approx(e["target_count"], abs=0.05)
        assert r["pace_ratio"] == pytest.approx(e["pace_ratio"], abs=5e-5)
        assert r["pace_status"] == e["pace_status"]
    # A01 and A02 (A03 is after today, A04 cancelled): 2 of a target of 50 x 22 % = 11.
    sensitive = next(r for r in rows if r["indicator_code"] == "controles_sensibles")
    assert (sensitive["realised_count"], sensitive["target_count"]) == (2, 11.0)
    assert sensitive["pace_status_label"] == "Dans la trajectoire"

    code, stdout, _ = run(["indicators", "--year", "2026", "--format", "json"], capsys)
    document = json.loads(stdout)
    rows = document["indicators"]
    assert code == 0 and document["pole"] is None and len(rows) == 6 * (len(POLES) + 1)
    assert [r["pole_code"] for r in rows[::6]] == ["all", *POLES]
    assert {r["pole_code"] for r in rows if r["realised_count"]} == {
        "all", "idf_hdf", "centre_est", "mediterranee"
    }  # fmt: skip
    # 2027 has targets but has not started: nothing expected yet, no pace, no forecast.
    code, stdout, _ = run(["indicators", "--year", "2027", "--pole", "all", "--format", "json"],
                          capsys)  # fmt: skip
    rows = json.loads(stdout)["indicators"]
    assert {(r["pace_status"], r["pace_ratio"], r["forecast_count"]) for r in rows} == {
        ("not_started", None, None)
    }


def test_indicators_refuses_a_year_or_pole_it_does_not_know(tiny_data, capsys):
    code, out, err = run(["indicators", "--year", "2031"], capsys)
    assert (code, out) == (2, "")
    assert "aucune cible pour l'année 2031" in err and "2024, 2025, 2026, 2027" in err
    code, out, err = run(["indicators", "--year", "2026", "--pole", "bretagne"], capsys)
    assert (code, out) == (2, "")
    assert "pôle inconnu « bretagne »" in err


def test_unwritable_output_is_a_french_error(tiny_data, tmp_path, capsys):
    target = tmp_path / "absent" / "x.csv"
    code, _, err = run(["indicators", "--year", "2026", "--out", str(target)], capsys)
    assert code == 1
    assert err.startswith("Erreur : accès impossible à") and "introuvable" in err
    assert "Traceback" not in err


# --- fail closed --------------------------------------------------------------------------


@pytest.fixture
def unmigrated(tmp_path, monkeypatch):
    """Extracts but no store: the journal's entries would be missing from every figure."""
    from tests.conftest import _clear_caches

    data_dir = write_tiny_extracts(tmp_path / "data")
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPPE_TODAY", TODAY.isoformat())
    _clear_caches()
    yield data_dir
    _clear_caches()


READING_COMMANDS = [
    ["indicators", "--year", "2026"],
    ["indicators", "--year", "2026", "--format", "json"],
    ["deck", "--period", "2026-01", "--out", "{tmp}/copil.pptx"],
    ["check"],
]


@pytest.mark.parametrize("argv", READING_COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_no_store_no_figures(unmigrated, tmp_path, capsys, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 1
    assert "sppe migrate" in err and "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "copil.pptx").exists()


@pytest.mark.parametrize(
    "argv",
    [["users", "list"], ["journal", "export", "--out", "{tmp}/export"],
     ["backup", "--out", "{tmp}/export"], ["restore", "{tmp}/s.sqlite3", "--yes"]],
    ids=lambda a: " ".join(a[:2]),
)  # fmt: skip
def test_store_commands_without_a_store(unmigrated, tmp_path, capsys, argv):
    (tmp_path / "s.sqlite3").write_bytes(b"")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(argv, capsys)
    assert (code, out) == (1, "")
    assert err.startswith("Erreur : ") and "sppe migrate" in err and "Traceback" not in err
    assert not (tmp_path / "export").exists() or not any((tmp_path / "export").iterdir())


@pytest.mark.parametrize("argv", READING_COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_unreadable_extract_no_figures(tiny_data, tmp_path, capsys, argv):
    from tests.conftest import _clear_caches

    for part in (tiny_data / "extracts" / "activities").glob("*.parquet"):
        part.write_bytes(b"PAR1 pas un fichier parquet")
    _clear_caches()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 1, (out, err)
    assert "activities" in err and "Traceback" not in err
    assert "Données et référentiels cohérents" not in out
    assert "all;" not in out and '"indicators"' not in out
    assert not (tmp_path / "copil.pptx").exists()


def test_store_of_an_older_schema_is_refused(tiny_data, capsys):
    import sqlalchemy as sa

    from sppe_data import store

    store.reset_cache()
    engine = sa.create_engine(store.database_url())
    with engine.begin() as conn:
        conn.execute(sa.text("update alembic_version set version_num = 'ancienne'"))
    engine.dispose()
    code, out, err = run(["indicators", "--year", "2026"], capsys)
    assert (code, out) == (1, "")
    assert "schéma plus récent" in err or "sppe migrate" in err


def test_check_reports_the_store_and_the_data(tiny_data, capsys):
    code, out, err = run(["check"], capsys)
    assert code == 0, err
    assert "schéma" in out and "à jour" in out
    assert "Données et référentiels cohérents." in out


# --- serve --------------------------------------------------------------------------------


def test_serve_runs_streamlit_on_the_app_with_the_project_config():
    command = serve.streamlit_command(8600, "127.0.0.1", ["--server.baseUrlPath", "sppe"])
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(command[4]) == ROOT / "app.py"
    pairs = dict(zip(command[5:-2:2], command[6:-2:2], strict=True))
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        config = tomllib.load(fh)
    for section, options in config.items():
        for key, value in options.items():
            if (section, key) != ("server", "port"):
                shown = str(value).lower() if isinstance(value, bool) else str(value)
                assert pairs[f"--{section}.{key}"] == shown, (section, key)
    assert pairs["--server.port"] == "8600"
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.maxUploadSize"] == str(serve.UPLOAD_LIMIT_MB)
    assert command[-2:] == ["--server.baseUrlPath", "sppe"]


def test_serve_refuses_to_start_without_a_usable_store(unmigrated, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(serve.os, "execv", lambda *a: started.append(a))
    code, _, err = run(["serve", "--port", "8600"], capsys)
    assert code == 1 and started == []
    assert "sppe migrate" in err


def test_serve_starts_streamlit_when_the_store_is_usable(tiny_data, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(serve.os, "execv", lambda *a: started.append(a))
    code, out, _ = run(["serve", "--port", "8600", "--", "--server.runOnSave", "false"], capsys)
    assert code == 0 and len(started) == 1
    assert started[0][1][-2:] == ["--server.runOnSave", "false"]
    assert "http://127.0.0.1:8600" in out


def test_bench_runs_one_mode_at_a_time(capsys):
    for argv, expected in [
        (["bench", "--deck", "--pages"], "--pages et --deck : un seul à la fois."),
        (["bench", "--users", "3", "--store"], "--store et --users : un seul à la fois."),
    ]:
        code, _out, err = run(argv, capsys)
        assert code == 2, argv
        assert expected in err, err
    with pytest.raises(SystemExit):
        main(["bench", "--users", "0"])
    assert "utilisation : sppe" in capsys.readouterr().err
