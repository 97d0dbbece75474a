"""Versions of the national extracts (sppe_data/imports/versions.py): each extract
imported good and bad from Parquet, CSV and XLSX (a bad file changes nothing), the
atomic swap under readers in another thread and another process, history, audit rows,
rollback to exactly the previous figures, rights, the versions kept, the coverage years
merged, the command line. Expected values come from the tiny data set (tests/tiny.py)
and the files built here, never from the code under test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from sppe_cli.main import main as sppe_main
from sppe_data import api, db, journal, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.extracts import EXTRACTS, polars_schema
from sppe_data.imports import versions
from sppe_data.store import schema
from tests import tiny

ROOT = Path(__file__).resolve().parents[1]
CNAF = Principal("dpfas.import", "Dpfas", "cnaf")
ADMIN = Principal("admin", "Admin", "admin")
READER = Principal("lecteur", "Lecteur", "reader")
POLE = Principal("pole.idf", "Pôle IDF", "pole", "idf_hdf")


# --- files -----------------------------------------------------------------------------


def tiny_frames() -> dict[str, pl.DataFrame]:
    return {
        "activities": tiny.activities_frame(),
        "requests": pl.DataFrame(tiny.REQUESTS, schema=polars_schema("requests"), orient="row"),
        "projects": tiny.projects_frame(),
        "partners": pl.DataFrame(tiny.PARTNERS, schema=polars_schema("partners"), orient="row"),
        "staff": pl.DataFrame(tiny.STAFF, schema=polars_schema("staff"), orient="row"),
        "coverage": tiny.coverage_frame(),
    }


def changed(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """A valid variant of an extract, different from the tiny one: the first row is
    dropped (coverage: its rates moved), so a successful import is visible."""
    if name == "coverage":
        return frame.with_columns(pl.col("coverage_global_pct") + 1.5)
    return frame.slice(1)


def spoiled(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """An invalid variant: its first row repeated (a duplicate id, or year x
    département for coverage)."""
    return pl.concat([frame, frame.head(1)])


def french_csv(frame: pl.DataFrame, encoding: str = "cp1252") -> bytes:
    """As French Excel saves a sheet: `;`, decimal comma, dd/mm/yyyy, Windows-1252."""
    text = frame.write_csv(
        separator=";", decimal_comma=True, date_format="%d/%m/%Y", line_terminator="\r\n"
    )
    return text.encode(encoding)


def xlsx_bytes(frame: pl.DataFrame) -> bytes:
    import io

    book = Workbook()
    sheet = book.active
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    return journal.parquet_bytes(frame)


ENCODERS = {"parquet": parquet_bytes, "csv": french_csv, "xlsx": xlsx_bytes}


def national(name: str) -> pl.DataFrame:
    """The extract's rows the pages read now (the catalog's view), in a stable order."""
    view = journal.national_view(name)
    cursor = db.catalog().connection.cursor()
    try:
        frame = cursor.sql(f"select * from {view}").pl()
    finally:
        cursor.close()
    return frame.sort(frame.columns, nulls_last=True)


def same_rows(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    key = list(a.columns)
    return a.sort(key, nulls_last=True).equals(b.select(key).sort(key, nulls_last=True))


def version_dirs(data_dir: Path, name: str) -> list[str]:
    base = data_dir / "extracts" / name / "versions"
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else []


def audit_rows(entity: str = "extraction") -> list[dict]:
    log = journal.audit_entries(ADMIN)
    return log.filter(pl.col("entity") == entity).sort("audit_id").to_dicts()


def state(data_dir: Path, name: str) -> tuple:
    """What must not move when an import is refused."""
    return (
        versions.history(ADMIN).to_dicts(),
        version_dirs(data_dir, name),
        store.get_store().revisions(),
        national(name).to_dicts(),
    )


# --- each extract, each format ------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ENCODERS))
@pytest.mark.parametrize("name", list(EXTRACTS))
def test_each_extract_good_and_bad_in_each_format(tiny_data, name, fmt):
    frames = tiny_frames()
    before_rows = national(name)
    assert same_rows(before_rows, frames[name])  # the fixture's files are read

    # A bad file first: refused, the report names the problem, nothing moves.
    before = state(tiny_data, name)
    bad = versions.import_extract(
        CNAF, name, f"mauvais.{fmt}", ENCODERS[fmt](spoiled(name, frames[name]))
    )
    assert not bad.ok
    assert "Import refusé" in bad.message and "n'a pas changé" in bad.message
    assert bad.report.height >= 1
    assert bad.report["Problème"].str.contains("double").any(), bad.report
    assert state(tiny_data, name) == before
    assert not list((tiny_data / "extracts" / ".staging").iterdir())

    # A good one: in service at once; the files in place are kept as version 1.
    good_frame = changed(name, frames[name])
    good = versions.import_extract(
        CNAF, name, f"bon.{fmt}", ENCODERS[fmt](good_frame), data_date=date(2026, 1, 31)
    )
    assert good.ok, good.report
    assert (good.version, good.adopted_version) == (2, 1)
    assert good.row_count == good_frame.height
    assert same_rows(national(name), good_frame)
    assert len(version_dirs(tiny_data, name)) == 2
    assert not list((tiny_data / "extracts" / ".staging").iterdir())


def test_csv_with_french_headers_utf8_bom_and_labels(tiny_data):
    """The CSV Excel writes in UTF-8 (with a BOM), French headers and French labels."""
    frame = tiny.activities_frame().head(3)
    labels = {
        "activity_id": "Identifiant de l'activité",
        "activity_kind": "Type d'activité",
        "pole_code": "Pôle",
        "status": "Statut",
        "activity_on": "Date de l'activité",
    }
    text = frame.select(*labels).rename(labels).write_csv(separator=";", date_format="%d/%m/%Y")
    text = text.replace(";done;", ";Réalisée;")
    result = versions.import_extract(CNAF, "activities", "a.csv", ("\ufeff" + text).encode())
    assert result.ok, result.report
    got = national("activities")
    assert got["activity_id"].to_list() == ["A01", "A02", "A03"]
    assert got["status"].to_list() == ["done", "done", "done"]
    assert got["comment"].null_count() == 3  # optional columns absent: empty


# --- the swap under readers ---------------------------------------------------------------

BLOCK = 1000


def marked(k: int) -> pl.DataFrame:
    """Version marker k: exactly k x 1000 activities, each with the comment "vk"."""
    n = k * BLOCK
    return pl.DataFrame(
        {
            "activity_id": [f"V{k}-{i:06d}" for i in range(n)],
            "activity_kind": ["controle_sensible"] * n,
            "pole_code": ["idf_hdf"] * n,
            "caf_code": ["59"] * n,
            "dep_code": ["59"] * n,
            "status": ["done"] * n,
            "activity_on": [date(2026, 1, 15)] * n,
            "comment": [f"v{k}"] * n,
        }
    )


COUNT_SQL = (
    "select count(*), count(distinct comment), min(comment), count(comment) "
    "from activities_national"
)
# The other process: a fresh interpreter reading the way an app server does, until told.
READER_SCRIPT = """
import json, sys, time
from sppe_data import db
seen = {}
bad = []
deadline = time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    try:
        cursor = db.catalog().connection.cursor()
        try:
            row = cursor.execute(sys.argv[2]).fetchone()
        finally:
            cursor.close()
        key = json.dumps(list(row))
        seen[key] = seen.get(key, 0) + 1
    except Exception as exc:
        bad.append(type(exc).__name__ + ": " + str(exc)[:200])
print(json.dumps({"seen": seen, "bad": bad[:5], "errors": len(bad)}))
"""


def allowed(row: tuple, ks: range) -> bool:
    count, distinct, marker, with_comment = row
    if distinct == 0:  # the fixture's 22 activities (no comment): version 1, adopted
        return count == 22 and with_comment == 0
    return (
        distinct == 1
        and marker in {f"v{k}" for k in ks}
        and count == with_comment == int(marker[1:]) * BLOCK
    )


def test_readers_never_see_a_mix_during_swaps(store_url, tiny_data, tmp_path):
    ks = range(1, 7)
    files = {}
    for k in ks:
        files[k] = tmp_path / f"v{k}.parquet"
        marked(k).write_parquet(files[k])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    other = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, "25", COUNT_SQL],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stop = threading.Event()
    seen: dict[tuple, int] = {}
    failures: list[str] = []

    def read_loop() -> None:
        while not stop.is_set():
            try:
                cursor = db.catalog().connection.cursor()
                try:
                    row = cursor.execute(COUNT_SQL).fetchone()
                finally:
                    cursor.close()
                seen[row] = seen.get(row, 0) + 1
            except Exception as exc:  # reported below
                failures.append(f"{type(exc).__name__}: {exc}")

    reader = threading.Thread(target=read_loop)
    reader.start()
    swaps = 0
    try:
        time.sleep(1.5)  # the other process is reading before the first swap
        for k in ks:
            result = versions.import_extract(CNAF, "activities", f"v{k}.parquet", files[k])
            assert result.ok, result.report
            swaps += 1
            if k % 2 == 0:  # and back and forth
                versions.rollback(CNAF, "activities")
                versions.rollback(CNAF, "activities", result.version)
                swaps += 2
        deadline = time.monotonic() + 60
        while other.poll() is None and time.monotonic() < deadline:
            versions.rollback(CNAF, "activities")
            versions.rollback(
                CNAF, "activities", to_version=versions.history(ADMIN, "activities")["version"][1]
            )
            swaps += 2
    finally:
        stop.set()
        reader.join()
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert not failures, failures[:3]
    assert report["errors"] == 0, report["bad"]
    other_seen = {tuple(json.loads(k)): n for k, n in report["seen"].items()}
    for row in [*seen, *other_seen]:
        assert allowed(row, ks), row
    # Both readers saw several versions go by, the swaps were many.
    assert len(seen) >= 3 and len(other_seen) >= 2, (seen, other_seen)
    assert swaps >= 12
    print(
        f"\n{swaps} swaps; this process: {sum(seen.values())} reads, {len(seen)} versions "
        f"seen; other process: {sum(other_seen.values())} reads, {len(other_seen)} versions"
    )


# --- history, audit, rollback (both engines) -------------------------------------------------


def test_history_audit_and_rollback_restore_the_figures_exactly(store_url, tiny_data):
    before = api.indicator_progress(2026)
    frame = tiny.activities_frame()
    # One more done sensitive control of idf_hdf in January 2026: the figure moves by one.
    extra = frame.filter(pl.col("activity_id") == "A01").with_columns(
        pl.lit("A99").alias("activity_id")
    )
    result = versions.import_extract(
        CNAF, "activities", "activites.parquet", parquet_bytes(pl.concat([frame, extra])),
        data_date=date(2026, 2, 15), source_label="Extraction SI Cnaf du 15/02",
    )  # fmt: skip
    assert result.ok, result.report
    after = api.indicator_progress(2026)

    def sensitive(df: pl.DataFrame) -> int:
        row = df.filter(
            (pl.col("pole_code") == "all") & (pl.col("indicator_code") == "controles_sensibles")
        )
        return int(row["realised_count"][0])

    assert sensitive(after) == sensitive(before) + 1
    info = api.data_info()
    assert (info.data_date, info.source_label) == (date(2026, 2, 15), "Extraction SI Cnaf du 15/02")

    history = versions.history(ADMIN, "activities").to_dicts()
    assert [(h["version"], h["action"], h["is_current"]) for h in history] == [
        (2, "import", True),
        (1, "adopt", False),
    ]
    assert history[0]["imported_by"] == "dpfas.import"
    assert history[0]["row_count"] == 23 and history[1]["row_count"] == 22
    assert history[0]["file_name"] == "activites.parquet"
    assert history[1]["source_label"] == "Jeu d'essai" and history[1]["data_date"] == tiny.TODAY
    assert history[1]["file_name"] == "activities.parquet"

    done = versions.rollback(CNAF, "activities")
    assert (done.version, done.restored_from, done.row_count) == (3, 1, 22)
    restored = api.indicator_progress(2026)
    assert restored.equals(before)
    assert api.data_info().data_date == tiny.TODAY

    # Nothing before version 1; version 2 back on demand, then its figures again.
    with pytest.raises(versions.VersionRefused, match="pas de version importée avant"):
        versions.rollback(CNAF, "activities")
    with pytest.raises(versions.VersionRefused, match="déjà celle en service"):
        versions.rollback(CNAF, "activities", to_version=1)
    with pytest.raises(versions.VersionRefused, match="n'existe pas"):
        versions.rollback(CNAF, "activities", to_version=9)
    versions.rollback(CNAF, "activities", to_version=2)
    assert api.indicator_progress(2026).equals(after)

    rows = audit_rows()
    assert [(r["entity_id"], r["action"]) for r in rows] == [
        ("activities", "import"),
        ("activities", "retour_arriere"),
        ("activities", "retour_arriere"),
    ]
    first = json.loads(rows[0]["after_json"])
    assert (first["version"], first["adopted_version"], first["row_count"]) == (2, 1, 23)
    assert rows[0]["before_json"] is None  # no version in the store before
    assert json.loads(rows[1]["before_json"])["version"] == 2
    assert json.loads(rows[1]["after_json"])["restored_from"] == 1
    assert rows[1]["actor"] == "dpfas.import" and rows[1]["actor_role"] == "cnaf"
    assert journal.ACTION_LABELS["retour_arriere"] and journal.ENTITY_LABELS["extraction"]
    # One per swap (an import, two rollbacks); a refused rollback changes nothing.
    assert store.get_store().revisions()["extract_versions"] == 3


def test_a_failed_swap_leaves_nothing(tiny_data, monkeypatch):
    before = state(tiny_data, "staff")

    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    real = versions.journal.audit
    monkeypatch.setattr(versions.journal, "audit", broken)
    frame = changed("staff", tiny_frames()["staff"])
    with pytest.raises(RuntimeError):
        versions.import_extract(CNAF, "staff", "s.parquet", parquet_bytes(frame))
    monkeypatch.setattr(versions.journal, "audit", real)
    assert state(tiny_data, "staff") == before
    assert version_dirs(tiny_data, "staff") == []


def test_a_coverage_import_based_on_a_version_replaced_meanwhile_is_refused(tiny_data, monkeypatch):
    frame = tiny.coverage_frame().filter(pl.col("year") == 2024)
    real_stage = versions._stage

    def stage_then_someone_else_imports(*args, **kwargs):
        staged = real_stage(*args, **kwargs)
        monkeypatch.setattr(versions, "_stage", real_stage)
        other = versions.import_extract(CNAF, "coverage", "autre.parquet", parquet_bytes(frame))
        assert other.ok
        return staged

    monkeypatch.setattr(versions, "_stage", stage_then_someone_else_imports)
    result = versions.import_extract(CNAF, "coverage", "c.parquet", parquet_bytes(frame))
    assert not result.ok and "relancez l'import" in result.message
    assert versions.history(ADMIN, "coverage")["version"].to_list() == [2, 1]


# --- rights ---------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", [None, READER, POLE, ADMIN])
def test_only_the_cnaf_role_imports_and_rolls_back(tiny_data, principal):
    content = parquet_bytes(changed("staff", tiny_frames()["staff"]))
    assert versions.import_extract(CNAF, "staff", "s.parquet", content).ok
    before = state(tiny_data, "staff")
    with pytest.raises(AccessDenied, match="importer des extractions"):
        versions.import_extract(principal, "staff", "s.parquet", content)
    with pytest.raises(AccessDenied, match="revenir à une version"):
        versions.rollback(principal, "staff")
    assert state(tiny_data, "staff") == before
    if principal is ADMIN:
        assert versions.history(ADMIN, "staff").height == 2
    else:
        with pytest.raises(AccessDenied, match="historique"):
            versions.history(principal)


# --- versions kept --------------------------------------------------------------------------


def test_five_versions_kept_by_default_then_the_setting(tiny_data, monkeypatch):
    staff = tiny_frames()["staff"]
    for i in range(1, 8):  # versions 2..8 after the adopted 1
        frame = staff.with_columns(pl.lit(float(i)).alias("fte"))
        assert versions.import_extract(CNAF, "staff", f"s{i}.parquet", parquet_bytes(frame)).ok
    history = versions.history(ADMIN, "staff")
    assert history.height == 8  # every version stays in the history
    kept = history.filter(pl.col("purged_at").is_null())["version"].to_list()
    assert kept == [8, 7, 6, 5, 4]
    assert version_dirs(tiny_data, "staff") == sorted(
        history.filter(pl.col("purged_at").is_null())["folder"].to_list()
    )
    with pytest.raises(versions.VersionRefused, match="ont été supprimés"):
        versions.rollback(CNAF, "staff", to_version=2)
    assert versions.rollback(CNAF, "staff", to_version=4).restored_from == 4
    assert national("staff")["fte"].unique().to_list() == [3.0]  # version 4 = the 3rd file

    monkeypatch.setenv(versions.KEPT_ENV, "2")
    frame = staff.with_columns(pl.lit(9.0).alias("fte"))
    assert versions.import_extract(CNAF, "staff", "s9.parquet", parquet_bytes(frame)).ok
    history = versions.history(ADMIN, "staff")
    kept = history.filter(pl.col("purged_at").is_null())["version"].to_list()
    # The two last imports; the rollback 9 reused version 4's files, no longer kept.
    assert kept == [10, 8]
    assert len(version_dirs(tiny_data, "staff")) == 2

    monkeypatch.setenv(versions.KEPT_ENV, "beaucoup")
    refused = versions.import_extract(CNAF, "staff", "s.parquet", parquet_bytes(staff))
    assert not refused.ok and versions.KEPT_ENV in refused.message


# --- coverage: years merged ---------------------------------------------------------------


def test_coverage_file_replaces_only_its_years(tiny_data):
    # Tiny coverage: 2023 (59, 33) and 2024 (59, 21). The file: 2024 for 59 only, and 2025.
    rows = [(2024, "59", 55.0), (2025, "59", 57.0), (2025, "75", 74.4)]
    file = pl.DataFrame(
        [{**dict.fromkeys(EXTRACTS["coverage"].columns), "year": y, "dep_code": d,
          "coverage_global_pct": g} for y, d, g in rows],
        schema=polars_schema("coverage"),
    )  # fmt: skip
    result = versions.import_extract(CNAF, "coverage", "txcouv.parquet", parquet_bytes(file))
    assert result.ok, result.report
    assert result.years == [2024, 2025]
    got = national("coverage").select("year", "dep_code", "coverage_global_pct").rows()
    assert sorted(got) == [
        (2023, "33", 70.2), (2023, "59", 50.0),  # earlier year kept
        (2024, "59", 55.0),  # 2024 replaced whole: 21 is gone
        (2025, "59", 57.0), (2025, "75", 74.4),
    ]  # fmt: skip
    assert result.row_count == 5 and result.file_row_count == 3
    assert versions.history(ADMIN, "coverage")["years"][0] == "2024,2025"
    # Rolling back restores the layer as it was, 2024 of the Côte-d'Or included.
    versions.rollback(CNAF, "coverage")
    assert same_rows(national("coverage"), tiny.coverage_frame())


def test_data_caf_fr_file_through_the_coverage_importer(tiny_data):
    from sppe_data.coverage import import_coverage

    header = (
        "\ufeffDate référence;Numéro Département;Nom Département;Numéro Région;Nom Région;"
        "Taux de couv EAJE PSU;Taux de couv hors EAJE PSU;Taux de couv EAJE - ensemble;"
        "Taux de couv préscolarisation;Taux de couv assistante maternelle;"
        "Taux de couv salariée à domicile;Taux de couv accueil individuel - ensemble;"
        "Taux de couv global"
    )
    lines = [
        "2022;75;PARIS;11;ILE DE FRANCE;51.6;4.1;55.7;1.4;4.3;13.0;17.3;74.4",
        "2022;977;SAINT-BARTHELEMY;01;GUADELOUPE;1;1;2;0;1;0;1;3",
    ]
    content = ("\r\n".join([header, *lines]) + "\r\n").encode()
    result = import_coverage(content, principal=CNAF, filename="txcouv_pe_dep.csv")
    assert result.ok, result.report
    assert result.years == [2022] and result.file_row_count == 1
    assert any("977" in n for n in result.notes)
    got = national("coverage").sort("year", "dep_code")
    assert got["year"].to_list() == [2022, 2023, 2023, 2024, 2024]
    with pytest.raises(AccessDenied, match="taux de couverture"):
        import_coverage(content, principal=POLE)


# --- the data date shown ------------------------------------------------------------------


def test_data_date_of_the_manifest_until_a_more_recent_import(tiny_data, monkeypatch):
    monkeypatch.delenv("SPPE_TODAY")
    assert api.data_info().data_date == tiny.TODAY  # the manifest, no version yet
    staff = tiny_frames()["staff"]
    versions.import_extract(CNAF, "staff", "s.parquet", parquet_bytes(staff), date(2025, 12, 31))
    assert api.data_info().data_date == tiny.TODAY  # the other extracts are more recent
    versions.import_extract(CNAF, "staff", "s.parquet", parquet_bytes(staff), date(2026, 3, 31))
    assert api.data_info().data_date == date(2026, 3, 31)
    assert api.data_info().today == date(2026, 3, 31)
    # Coverage's date (a yearly publication) is not the data date of the pages.
    cov = parquet_bytes(tiny.coverage_frame())
    versions.import_extract(CNAF, "coverage", "c.parquet", cov, date(2026, 6, 30))
    assert api.data_info().data_date == date(2026, 3, 31)


def test_bad_arguments_are_refused_in_french(tiny_data):
    staff = parquet_bytes(tiny_frames()["staff"])
    late = versions.import_extract(CNAF, "staff", "s.parquet", staff, date(2099, 1, 1))
    assert not late.ok and "Date des données 01/01/2099 invalide" in late.message
    with pytest.raises(ValueError, match="Extraction inconnue"):
        versions.import_extract(CNAF, "nope", "s.parquet", staff)
    empty = versions.import_extract(CNAF, "staff", "vide.csv", b"")
    assert not empty.ok and empty.report.height >= 1
    assert version_dirs(tiny_data, "staff") == []


def test_legacy_folder_unreadable_is_not_adopted(tiny_data):
    (tiny_data / "extracts" / "staff" / "staff.parquet").write_text("pas du parquet")
    assert "staff" in db.unavailable_extracts()
    result = versions.import_extract(
        CNAF, "staff", "s.parquet", parquet_bytes(tiny_frames()["staff"])
    )
    assert result.ok and (result.version, result.adopted_version) == (1, None)
    assert "staff" not in db.unavailable_extracts()
    with pytest.raises(versions.VersionRefused, match="pas de version importée avant"):
        versions.rollback(CNAF, "staff")


def test_a_missing_version_folder_says_so(tiny_data):
    versions.import_extract(CNAF, "staff", "s.parquet", parquet_bytes(tiny_frames()["staff"]))
    folder = versions.history(ADMIN, "staff")["folder"][0]
    import shutil

    shutil.rmtree(tiny_data / "extracts" / "staff" / "versions" / folder)
    db.reset()
    message = db.unavailable_extracts()["staff"]
    assert "version 2 en service" in message and f"versions/{folder}/" in message


# --- migration ------------------------------------------------------------------------------


def test_migration_seeds_the_counter_and_downgrades(tiny_data):
    from alembic import command

    url = store.database_url()
    assert store.get_store().revisions()["extract_versions"] == 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        config = store.engine._alembic_config(conn)
        command.downgrade(config, "0001")
        conn.commit()
        tables = sa.inspect(conn).get_table_names()
        counters = {r[0] for r in conn.execute(sa.text("select table_name from store_revision"))}
    engine.dispose()
    assert "extract_versions" not in tables and "extract_versions" not in counters
    store.migrate(url)
    assert schema.extract_versions.name in sa.inspect(sa.create_engine(url)).get_table_names()


# --- command line ---------------------------------------------------------------------------


def test_cli_import_history_rollback(tiny_data, tmp_path, capsys):
    good, bad = tmp_path / "effectifs.csv", tmp_path / "mauvais.csv"
    staff = tiny_frames()["staff"]
    good.write_bytes(french_csv(changed("staff", staff)))
    bad.write_bytes(french_csv(spoiled("staff", staff)))

    assert sppe_main(["import-extract", "staff", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Import refusé" in err and "double" in err
    assert "Traceback" not in err

    code = sppe_main(["import-extract", "staff", str(good), "--data-date", "2026-01-31",
                      "--source", "SIRH", "--operator", "Camille Martin"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Import réussi" in out and "version 2" in out and "version 1" in out

    assert sppe_main(["extracts", "history", "staff"]) == 0
    out = capsys.readouterr().out
    assert "Effectifs des pôles (staff)" in out
    assert "version   2 en service" in out and "par Camille Martin" in out
    assert "source : SIRH" in out and "données au 31/01/2026" in out and "5 ligne(s)" in out
    assert "Reprise des fichiers en place" in out

    assert sppe_main(["extracts", "rollback", "staff"]) == 0
    assert "la version 1" in capsys.readouterr().out
    assert same_rows(national("staff"), staff)
    assert sppe_main(["extracts", "rollback", "staff"]) == 1
    assert "pas de version importée avant" in capsys.readouterr().err
    assert sppe_main(["extracts", "rollback", "staff", "--to", "2"]) == 0
    capsys.readouterr()
    assert sppe_main(["extracts", "history", "--format", "csv"]) == 0
    csv_text = capsys.readouterr().out
    assert csv_text.startswith("\ufeffExtraction;Version;En service")
    assert csv_text.count("Effectifs des pôles") == 4


def test_cli_import_coverage_is_import_extract_coverage(tiny_data, tmp_path, capsys):
    file = tmp_path / "txcouv.csv"
    file.write_bytes("Année;Département;Taux de couv global\r\n2025;75;74,4\r\n".encode("cp1252"))
    assert sppe_main(["import-coverage", str(file)]) == 0
    assert "années 2025" in capsys.readouterr().out
    assert versions.history(ADMIN, "coverage")["years"][0] == "2025"
    file.write_bytes(b"Ann\xe9e;D\xe9partement\r\n2025;999\r\n")
    assert sppe_main(["import-coverage", str(file)]) == 1
    err = capsys.readouterr().err
    assert "Import refusé" in err and "999" in err


def test_cli_usage_errors_are_french(tiny_data, capsys):
    for argv, expected in [
        (["import-extract", "nope", "f.csv"], "valeur « nope » inconnue"),
        (["import-extract", "staff", "absent.csv"], "fichier introuvable"),
        (["import-extract", "staff", "f.csv", "--data-date", "31/01/2026"], "date invalide"),
        (["extracts", "rollback", "staff", "--to", "zéro"], "numéro de version invalide"),
        (["extracts"], "arguments obligatoires"),
    ]:
        try:
            code = sppe_main(argv)
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert expected in err, (argv, err)
        assert "usage:" not in err and "error:" not in err


# --- pages ------------------------------------------------------------------------------------


def app(page: str, role: str = "cnaf"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = "idf_hdf"
    at.session_state["annee"] = "2026"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def frame_with(at, column: str):
    """The first table of the page that has ``column`` (pandas, as AppTest gives it)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_map_offers_every_imported_coverage_year(tiny_data):
    from sppe_data import territory

    assert territory.coverage_years().rows() == [(2024, 2), (2023, 2)]

    def shown(frame: pl.DataFrame) -> tuple:
        rates = frame.drop_nulls("coverage_global_pct").select("dep_code", "coverage_global_pct")
        return frame["coverage_year"].unique().to_list(), dict(rates.iter_rows())

    # tests/tiny.py: 2023 -> 59 50.0, 33 70.2; 2024 -> 59 52.5, 21 61.0.
    assert shown(territory.departement_map(2026, "all", 2023)) == ([2023], {"59": 50.0, "33": 70.2})
    assert shown(territory.departement_map(2026, "all")) == ([2024], {"59": 52.5, "21": 61.0})
    # A year the layer does not have: the default rule.
    assert shown(territory.departement_map(2026, "all", 2019))[0] == [2024]

    at = app("app_pages/carte_poles.py")
    box = at.selectbox(key="carte_annee_couverture")
    assert box.options == ["2024 (selon l'année 2026)", "2024", "2023"]
    box.set_value(2023).run()
    assert not at.exception
    table = frame_with(at, "Année du taux")
    row = table[table.iloc[:, 0] == "59"].iloc[0]
    assert row["Année du taux"] == 2023


def test_imports_page_history_and_rollback_with_confirmation(tiny_data):
    staff = tiny_frames()["staff"]
    assert versions.import_extract(
        CNAF, "staff", "s.parquet", parquet_bytes(changed("staff", staff))
    ).ok
    at = app("app_pages/imports.py")
    assert at.title[0].value == "Imports des extractions"
    at.selectbox(key="imports_extract").set_value("staff").run()
    history = frame_with(at, "Version")
    assert list(history["Version"]) == [2, 1]
    assert list(history["Action"]) == ["Import", "Reprise des fichiers en place"]
    at.button(key="imports_rollback").click().run()
    assert any("Remettre en service la version 1" in w.value for w in at.warning)
    assert same_rows(national("staff"), changed("staff", staff))  # not before confirming
    at.button(key="imports_confirm_go").click().run()
    assert not at.exception
    assert any("Retour arrière effectué" in s.value for s in at.success)
    assert list(frame_with(at, "Version")["Version"]) == [3, 2, 1]
    assert same_rows(national("staff"), staff)
    # The previous version is now none: no button, a sentence instead.
    assert not [b for b in at.button if b.key == "imports_rollback"]
