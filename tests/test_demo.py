"""The demo generator: deterministic, scalable, and realistic rather than uniform."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from sppe_data import demo, reference
from sppe_data.extracts import EXTRACTS, read_manifest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)


def digest(data_dir: Path) -> dict[str, str]:
    """Content hash of every extract (row content, not file bytes)."""
    out = {}
    for name in EXTRACTS:
        frame = pl.read_parquet(data_dir / "extracts" / name / f"{name}.parquet")
        out[name] = hashlib.sha256(frame.write_csv().encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo.generate(out, seed=7, as_of=AS_OF)
    return out


@pytest.fixture(scope="module")
def activities(demo_dir) -> pl.DataFrame:
    return pl.read_parquet(demo_dir / "extracts" / "activities" / "activities.parquet")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sppe_data", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_is_deterministic_for_a_seed_and_date(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "3"), (b, "3"), (c, "4")):
        done = run_cli("demo", "--seed", seed, "--as-of", "2026-03-31", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert "Données de démonstration écrites" in done.stdout
    assert digest(a) == digest(b)
    assert digest(a)["activities"] != digest(c)["activities"]
    assert read_manifest(a / "extracts").data_date == date(2026, 3, 31)


def test_scale_multiplies_volumes(tmp_path):
    base = demo.generate(tmp_path / "x1", seed=11, as_of=AS_OF).row_counts
    big = demo.generate(tmp_path / "x10", seed=11, scale=10, as_of=AS_OF).row_counts
    for name in ("activities", "requests", "projects", "partners"):
        assert 8.5 < big[name] / base[name] < 11.5, name
    assert big["staff"] == base["staff"]  # the staffing plan does not scale


def test_if_empty_keeps_existing_data(tmp_path):
    out = tmp_path / "d"
    assert (
        run_cli("demo", "--seed", "1", "--as-of", "2026-01-15", "--out", str(out)).returncode == 0
    )
    before = digest(out)
    again = run_cli("demo", "--if-empty", "--seed", "2", "--out", str(out))
    assert again.returncode == 0 and "rien à générer" in again.stdout
    assert digest(out) == before


def test_every_kind_pole_and_status_is_present(activities):
    assert set(activities["activity_kind"]) == set(reference.activity_kinds()["activity_kind"])
    assert set(activities["pole_code"]) == set(reference.poles()["pole_code"])
    assert set(activities["status"]) == {"planned", "in_progress", "done", "cancelled"}
    assert activities["activity_on"].min() >= date(2024, 5, 1)
    # Planned items run ahead of the data date; done items never do.
    assert activities.filter(pl.col("status") == "done")["activity_on"].max() <= AS_OF
    assert activities["activity_on"].max() > AS_OF


def test_setup_months_and_august_dip(activities):
    done = activities.filter(pl.col("status") == "done")
    monthly = done.group_by(pl.col("activity_on").dt.truncate("1mo").alias("m")).len()
    count = dict(monthly.iter_rows())
    assert count[date(2024, 5, 1)] < 0.2 * count[date(2024, 10, 1)]  # set-up months
    assert count[date(2025, 8, 1)] < 0.6 * count[date(2025, 9, 1)]  # August dip
    assert count[date(2025, 8, 1)] < 0.6 * count[date(2025, 7, 1)]


def test_poles_have_different_paces(activities):
    share = dict(reference.poles().select("pole_code", "target_share").iter_rows())
    done_2025 = activities.filter(
        (pl.col("status") == "done") & (pl.col("activity_on").dt.year() == 2025)
    )
    per_share = {
        pole: n / share[pole] for pole, n in done_2025.group_by("pole_code").len().iter_rows()
    }
    assert per_share["atlantique"] < 0.85 * per_share["mediterranee"]  # clearly behind
    assert per_share["centre_est"] > 1.05 * per_share["mediterranee"]  # ahead


def test_controls_carry_findings_and_amounts(activities):
    controls = activities.filter(
        pl.col("activity_kind").is_in(["controle_sensible", "controle_appui_plan"])
        & (pl.col("status") == "done")
    )
    rate = controls["has_findings"].mean()
    assert 0.2 < rate < 0.7
    with_findings = controls.filter(pl.col("has_findings"))
    assert (with_findings["undue_amount_eur"] > 0).all()
    assert (with_findings["recovered_amount_eur"] <= with_findings["undue_amount_eur"]).all()
    assert controls.filter(~pl.col("has_findings"))["undue_amount_eur"].null_count() > 0


def test_cafs_belong_to_their_pole(activities):
    mapping = reference.departement_poles()
    joined = activities.join(mapping, on="dep_code", suffix="_ref")
    assert joined.height == activities.height
    assert (joined["pole_code"] == joined["pole_code_ref"]).all()


def test_staff_matches_the_letter(demo_dir):
    staff = pl.read_parquet(demo_dir / "extracts" / "staff" / "staff.parquet")
    assert staff["fte"].sum() == pytest.approx(39.5)
    by_line = dict(staff.group_by("funding_line").agg(pl.col("fte").sum()).iter_rows())
    assert by_line == pytest.approx({"sna": 11.5, "maitrise_risques": 10.5, "ingenierie": 17.5})
    people = dict(staff.group_by("pole_code").len().iter_rows())
    assert all(7 <= n <= 10 for n in people.values())


def test_cli_rejects_bad_input_in_french(tmp_path):
    bad_date = run_cli("demo", "--as-of", "31/02/2026", "--out", str(tmp_path / "z"))
    assert bad_date.returncode == 2 and "date invalide" in bad_date.stderr
    bad_scale = run_cli("demo", "--scale", "-3", "--out", str(tmp_path / "z"))
    assert bad_scale.returncode == 2 and "strictement positive" in bad_scale.stderr
    text_scale = run_cli("demo", "--scale", "'; drop table x; --", "--out", str(tmp_path / "z"))
    assert text_scale.returncode == 2 and "nombre invalide" in text_scale.stderr
    too_early = run_cli("demo", "--as-of", "2023-01-01", "--out", str(tmp_path / "z"))
    assert too_early.returncode == 2 and "mai 2024" in too_early.stderr
    assert not (tmp_path / "z").exists()


def test_cli_rejects_a_huge_scale(tmp_path):
    huge = run_cli("demo", "--scale", "1e12", "--out", str(tmp_path / "z"))
    assert huge.returncode == 2 and "au plus 1000" in huge.stderr
    assert not (tmp_path / "z").exists()


def test_bench_runs_every_page_on_a_small_set(tmp_path):
    done = run_cli("bench", "--scale", "0.5", "--repeat", "2")
    assert done.returncode == 0, done.stderr
    for page in ("Synthèse", "Données et référentiels"):
        assert page in done.stdout
