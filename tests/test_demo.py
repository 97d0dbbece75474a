"""The demo generator: deterministic, scalable, and realistic rather than uniform."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from sppe_data import demo, reference
from sppe_data.extracts import EXTRACTS, polars_schema, read_manifest

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
    # The five pôles, and the Cepaje's national scope (the overseas Cafs' engineering).
    national = reference.overseas_engineering_scope().code
    assert set(activities["pole_code"]) == {*reference.poles()["pole_code"], national}
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
        pole: n / share[pole]
        for pole, n in done_2025.group_by("pole_code").len().iter_rows()
        if pole in share  # the Cepaje's national scope has no target share
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
    # Booked to the Caf's pôle; the engineering of an overseas Caf to the Cepaje's scope.
    mapping = reference.departement_poles()
    kinds = reference.activity_kinds().select("activity_kind", "domain")
    joined = activities.join(mapping, on="dep_code", suffix="_ref").join(kinds, on="activity_kind")
    assert joined.height == activities.height
    expected = pl.when(pl.col("domain") == "ingenierie").then("engineering_scope_code")
    assert (
        joined["pole_code"] == joined.select(expected.otherwise("pole_code_ref")).to_series()
    ).all()


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


# --- Same figures as before, at any scale -------------------------------------------------
#
# tests/golden/demo_seed42.json was captured from the row-by-row generator, before it was
# vectorised (seed 42, data date 30/06/2026): the content digest of every extract at
# scales 1 and 10, the row counts, and at scale 1 the done activities per indicator, pôle
# and month. The vectorised generator draws the same random stream in the same order, so
# the figures must not move. The Cepaje's engineering for the overseas Cafs (pôle code
# "cepaje", 54 rows at scale 1, 397 at scale 10) was added later, drawn on a stream of
# its own after the pôles' rows: the pôles' rows and the other extracts did not move. A
# deliberate change of the draws, of the shipped reference data they read or of numpy's
# random streams means a new golden file.

GOLDEN = json.loads((ROOT / "tests" / "golden" / "demo_seed42.json").read_text("utf-8"))
GOLDEN_AS_OF = date.fromisoformat(GOLDEN["as_of"])


def summary(data_dir: Path) -> dict:
    """Row counts, and done activities per indicator, pôle and month."""
    frames = {n: pl.read_parquet(data_dir / "extracts" / n / f"{n}.parquet") for n in EXTRACTS}
    kinds = reference.activity_kinds().select("activity_kind", "indicator_code")
    done = (
        frames["activities"]
        .filter(pl.col("status") == "done")
        .join(kinds, on="activity_kind")
        .filter(pl.col("indicator_code").is_not_null())
        .group_by(
            "indicator_code", "pole_code", pl.col("activity_on").dt.strftime("%Y-%m").alias("month")
        )
        .len()
        .sort("indicator_code", "pole_code", "month")
    )
    return {
        "row_counts": {n: f.height for n, f in frames.items()},
        "done_by_indicator_pole_month": [list(r) for r in done.iter_rows()],
    }


def file_bytes(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data_dir / "extracts").glob("*/*.parquet"))}


@pytest.fixture(scope="module")
def golden_runs(tmp_path_factory) -> dict[str, Path]:
    """Seed 42 at scales 1 and 10, as in the golden file."""
    out = {}
    for scale in GOLDEN["scales"]:
        out[scale] = tmp_path_factory.mktemp(f"golden{scale}")
        demo.generate(out[scale], seed=GOLDEN["seed"], scale=float(scale), as_of=GOLDEN_AS_OF)
    return out


@pytest.mark.parametrize("scale", ["1", "10"])
def test_same_figures_as_the_row_by_row_generator(golden_runs, scale):
    expected = GOLDEN["scales"][scale]
    got = summary(golden_runs[scale])
    assert got["row_counts"] == expected["row_counts"]
    if "done_by_indicator_pole_month" in expected:
        assert got["done_by_indicator_pole_month"] == expected["done_by_indicator_pole_month"]
    assert digest(golden_runs[scale]) == expected["digests"]


@pytest.mark.parametrize("scale", ["1", "10"])
def test_same_seed_and_date_give_the_same_files(golden_runs, tmp_path, scale):
    again = tmp_path / "again"
    demo.generate(again, seed=GOLDEN["seed"], scale=float(scale), as_of=GOLDEN_AS_OF)
    assert file_bytes(again) == file_bytes(golden_runs[scale])  # byte for byte
    other = tmp_path / "other"
    demo.generate(other, seed=GOLDEN["seed"] + 1, scale=float(scale), as_of=GOLDEN_AS_OF)
    assert digest(other)["activities"] != digest(again)["activities"]


def test_row_counts_scale_linearly(golden_runs):
    one, ten = (summary(golden_runs[s])["row_counts"] for s in ("1", "10"))
    for name in ("activities", "requests", "projects", "partners"):
        assert 9 < ten[name] / one[name] < 11, name
    assert ten["staff"] == one["staff"] and ten["coverage"] == one["coverage"]
    by_pole = [
        dict(
            pl.read_parquet(golden_runs[s] / "extracts" / "activities" / "activities.parquet")
            .group_by("pole_code")
            .len()
            .iter_rows()
        )
        for s in ("1", "10")
    ]
    assert by_pole[0].keys() == by_pole[1].keys()
    national = reference.overseas_engineering_scope().code
    for pole, n in by_pole[0].items():
        # The Cepaje's overseas engineering is small (54 rows at scale 1: a Poisson
        # spread of about 14 % on that count alone), hence its wider band.
        low, high = (6, 14) if pole == national else (8, 12)
        assert low < by_pole[1][pole] / n < high, pole


def test_streamed_extracts_hold_the_same_rows(golden_runs, tmp_path, monkeypatch):
    # Row groups of 5,000 rows: scale 10 streams its activities and requests the way
    # national scales do (and writes its smaller files at once).
    monkeypatch.setattr(demo, "ROW_GROUP_ROWS", 5_000)
    demo.generate(tmp_path, seed=GOLDEN["seed"], scale=10, as_of=GOLDEN_AS_OF)
    assert digest(tmp_path) == GOLDEN["scales"]["10"]["digests"]
    for name in ("activities", "requests"):
        path = tmp_path / "extracts" / name / f"{name}.parquet"
        assert pq.ParquetFile(path).metadata.num_row_groups > 1, name
        assert pl.read_parquet(path).schema == polars_schema(name), name
    assert (
        file_bytes(tmp_path)["projects.parquet"]
        == file_bytes(golden_runs["10"])["projects.parquet"]
    )


def test_a_tiny_scale_keeps_every_column_and_type(tmp_path):
    demo.generate(tmp_path, seed=5, scale=0.001, as_of=AS_OF)
    for name in EXTRACTS:
        frame = pl.read_parquet(tmp_path / "extracts" / name / f"{name}.parquet")
        assert frame.schema == polars_schema(name), name


@pytest.mark.parametrize("where", ["_projects", "_request_frame"])  # drawing, or the worker
def test_a_failed_run_leaves_the_previous_files(tmp_path, monkeypatch, where):
    demo.generate(tmp_path, seed=1, as_of=AS_OF)
    before = file_bytes(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(demo, where, broken)
    with pytest.raises(RuntimeError, match="panne simulée"):
        demo.generate(tmp_path, seed=2, as_of=AS_OF)
    assert file_bytes(tmp_path) == before
    assert not list((tmp_path / "extracts").glob("*/.*.tmp"))  # nothing left aside


# --- The projects' draws without one call per value -----------------------------------


def project_inputs(seed: int, n: int, ranges: list[tuple[int, int]]) -> tuple:
    r = np.random.default_rng(seed)
    kind = r.integers(0, len(ranges), n)
    low = np.array([lo for lo, _ in ranges])[kind]
    high = np.array([hi for _, hi in ranges])[kind]
    counted = r.random(n) < 0.55
    opens = counted & (r.random(n) < 0.35)
    may_be_at_risk = r.random(n) < 0.6
    return low, high, counted, opens, may_be_at_risk


def assert_same_draws(a: demo._ProjectDraws, b: demo._ProjectDraws) -> None:
    for name in ("decided", "opened", "lon_shift", "lat_shift", "expert", "at_risk"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("n", [1, 2, 5, 360])
@pytest.mark.parametrize("half_word_kept", [False, True])
def test_project_draws_are_those_drawn_one_by_one(n, half_word_kept):
    for seed in range(25):
        inputs = project_inputs(seed, n, list(demo.PLACES_RANGE.values()))
        one, fast = np.random.default_rng(seed), np.random.default_rng(seed)
        if half_word_kept:  # an odd number of 32-bit draws before: half a word is waiting
            one.integers(0, 7), fast.integers(0, 7)
        assert_same_draws(
            demo._project_draws_one_by_one(one, *inputs), demo._project_draws(fast, *inputs)
        )
        # The stream goes on from the same point.
        assert fast.bit_generator.state == one.bit_generator.state
        assert fast.integers(0, 1000, 5).tolist() == one.integers(0, 1000, 5).tolist()


def test_project_draws_fall_back_on_a_redraw():
    # A range just above 2**31: Lemire's method redraws about one value in two.
    inputs = project_inputs(3, 200, [(0, 2**31 + 1)])
    one, fast = np.random.default_rng(9), np.random.default_rng(9)
    assert_same_draws(
        demo._project_draws_one_by_one(one, *inputs), demo._project_draws(fast, *inputs)
    )
    assert fast.bit_generator.state == one.bit_generator.state


def test_round5_rounds_as_python():
    r = np.random.default_rng(0)
    values = np.concatenate(
        [
            r.uniform(-6, 10, 100_000),
            # Next to ties: k + 0.5 units of the fifth decimal, a few ulps either side.
            np.nextafter((r.integers(-600_000, 1_000_000, 2_000) + 0.5) / 1e5, np.inf),
            np.nextafter((r.integers(-600_000, 1_000_000, 2_000) + 0.5) / 1e5, -np.inf),
            (r.integers(-600_000, 1_000_000, 2_000) + 0.5) / 1e5,
        ]
    )
    assert demo._round5(values).tolist() == [round(v, 5) for v in values.tolist()]


def test_demo_bench_prints_a_french_table():
    args = ["--scales", "0.5", "--repeat", "1", "--as-of", "2026-06-30"]
    done = subprocess.run(
        [sys.executable, "-m", "sppe_data.demo_bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Échelle" in done.stdout and "Pic mémoire (Mo)" in done.stdout
    assert "30/06/2026" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "sppe_data.demo_bench", "--scales", "2000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "au plus 1" in bad.stderr
