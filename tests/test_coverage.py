"""The coverage importer: the real data.caf.fr file, and broken files refused whole (the
layer in service does not change). The import goes through the national extracts'
pipeline (tests/test_versions.py tests the versions, the years merged, the rollback)."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from sppe_cli.main import main as sppe_main
from sppe_data import db
from sppe_data.auth import AccessDenied, Principal
from sppe_data.coverage import children_under3, import_coverage
from sppe_data.imports import versions
from sppe_data.settings import REFERENCE_DIR

CNAF = Principal("cnaf.test", "Cnaf", "cnaf")

HEADER = (
    "\ufeffDate référence;Numéro Département;Nom Département;Numéro Région;Nom Région;"
    "Taux de couv EAJE PSU;Taux de couv hors EAJE PSU;Taux de couv EAJE - ensemble;"
    "Taux de couv préscolarisation;Taux de couv assistante maternelle;"
    "Taux de couv salariée à domicile;Taux de couv accueil individuel - ensemble;"
    "Taux de couv global"
)
GOOD_ROW = "2023;75;PARIS;11;ILE DE FRANCE;51.6;4.1;55.7;1.4;4.3;13.0;17.3;74.4"
OTHER_ROW = "2023;29;FINISTERE;53;BRETAGNE;14.9;1.1;16.0;10.6;52.2;1.5;53.7;80.3"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def without(line: str, position: int) -> str:
    """The line without its field at ``position`` (a required column removed)."""
    return ";".join(f for i, f in enumerate(line.split(";")) if i != position)


def layer() -> pl.DataFrame:
    """The coverage rows the pages read now."""
    cursor = db.catalog().connection.cursor()
    try:
        return cursor.sql("select * from coverage order by year, dep_code").pl()
    finally:
        cursor.close()


@pytest.fixture
def imported(tiny_data):
    """A data directory whose coverage layer was imported: 2023 for Paris and Finistère
    (the tiny layer's 2023 rows replaced, its 2024 rows kept)."""
    result = import_coverage(csv_bytes(GOOD_ROW, OTHER_ROW), principal=CNAF, filename="c.csv")
    assert result.ok, result.report
    return tiny_data


def test_real_file(tiny_data, shared_reference):
    result = import_coverage(shared_reference / "txcouv_pe_dep.csv", principal=CNAF)
    assert result.ok, result.report
    # 102 rows a year x 2 years, minus 977 and 978 each year: 200 rows, 4 set aside.
    assert (result.file_row_count, result.years) == (200, [2022, 2023])
    assert len(result.notes) == 2 and all("Guadeloupe" in n for n in result.notes)
    frame = layer()
    # Read by eye in the file.
    paris = frame.filter((pl.col("year") == 2023) & (pl.col("dep_code") == "75")).row(0, named=True)
    assert paris["coverage_global_pct"] == 74.4
    assert paris["coverage_eaje_psu_pct"] == 51.6
    assert paris["coverage_home_care_pct"] == 13.0
    guyane = frame.filter((pl.col("year") == 2022) & (pl.col("dep_code") == "973"))
    assert guyane["coverage_global_pct"].to_list() == [11.9]
    corse_sud = frame.filter((pl.col("year") == 2023) & (pl.col("dep_code") == "2A"))
    assert corse_sud["coverage_eaje_pct"].to_list() == [26.3]
    assert frame.filter(pl.col("dep_code") == "976").is_empty()  # Mayotte: not published
    # The tiny layer's 2024 rows (59 and 21) are kept: the file has no 2024.
    assert frame.filter(pl.col("year") == 2024)["dep_code"].sort().to_list() == ["21", "59"]


BROKEN = {
    "missing column": csv_bytes(without(GOOD_ROW, 1), header=without(HEADER, 1)),
    "text in a number": csv_bytes(GOOD_ROW.replace("74.4", "beaucoup")),
    "unknown code": csv_bytes(GOOD_ROW.replace(";75;", ";99;")),
    "empty file": b"",
    "header only": csv_bytes(),
    "bad year": csv_bytes(GOOD_ROW.replace("2023;", "20x3;", 1)),
    "out of range": csv_bytes(GOOD_ROW.replace("74.4", "740")),
    "duplicate": csv_bytes(GOOD_ROW, GOOD_ROW),
    "huge cell": csv_bytes(GOOD_ROW.replace("PARIS", "P" * 100_000)),
    "injection": csv_bytes(GOOD_ROW.replace(";75;", ";=cmd|' /C calc'!A0;")),
    "script": csv_bytes(GOOD_ROW.replace("74.4", "<script>alert(1)</script>")),
    "not utf-8": csv_bytes(GOOD_ROW).decode("utf-8").encode("utf-16"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_changes_nothing(imported, case):
    before = layer()
    history = versions.history(versions_admin())
    result = import_coverage(BROKEN[case], principal=CNAF, filename="txcouv.csv")
    assert not result.ok
    assert "Import refusé" in result.message and "n'a pas changé" in result.message
    assert result.report.height >= 1
    assert "Traceback" not in result.report.write_csv()
    assert layer().equals(before)
    assert versions.history(versions_admin()).equals(history)


def versions_admin() -> Principal:
    return Principal("admin", "Admin", "admin")


def test_one_bad_row_among_good_ones_refuses_all(imported):
    before = layer()
    result = import_coverage(
        csv_bytes(OTHER_ROW, GOOD_ROW.replace("74.4", "n/a")), principal=CNAF, filename="c.csv"
    )
    assert not result.ok
    [problem] = result.report.to_dicts()
    assert problem["Lignes"] == 1 and "3" in problem["Exemples"] and "n/a" in problem["Exemples"]
    assert layer().equals(before)


def test_decimal_comma_and_blank_rate_are_read(imported):
    row = GOOD_ROW.replace("2023", "2025").replace("74.4", "74,4").replace(";13.0;", ";;")
    result = import_coverage(csv_bytes(row), principal=CNAF, filename="c.csv")
    assert result.ok, result.report
    paris = layer().filter(pl.col("year") == 2025)
    assert paris["coverage_global_pct"].to_list() == [74.4]
    assert paris["coverage_home_care_pct"].to_list() == [None]


def test_cli(tiny_data, tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes(GOOD_ROW))
    bad.write_bytes(csv_bytes(GOOD_ROW.replace(";75;", ";999;")))
    before = layer()
    assert sppe_main(["import-coverage", str(bad)]) == 1
    assert "999" in capsys.readouterr().err
    assert layer().equals(before)
    assert sppe_main(["import-coverage", str(good)]) == 0
    assert "1 ligne(s) importée(s) (années 2023)" in capsys.readouterr().out
    assert layer().filter(pl.col("year") == 2023)["dep_code"].to_list() == ["75"]


def test_children_under3_estimate():
    with (REFERENCE_DIR / "departements.csv").open(encoding="utf-8") as fh:
        population = {r["dep_code"]: int(r["population_count"]) for r in csv.DictReader(fh)}
    kids = dict(children_under3().iter_rows())
    assert len(kids) == 101
    assert kids["75"] == round(population["75"] * 0.031)
    assert kids["973"] == round(population["973"] * 0.065)


@pytest.mark.parametrize(
    "principal",
    [
        None,
        Principal("lecteur", "Lecteur", "reader"),
        Principal("pole.atl", "Pôle", "pole", "atlantique"),
        Principal("admin", "Admin", "admin"),
    ],
)
def test_only_the_cnaf_role_imports(imported, principal):
    """The data layer itself refuses the import, whatever the page shows."""
    before = layer()
    with pytest.raises(AccessDenied, match="importer des taux de couverture"):
        import_coverage(csv_bytes(GOOD_ROW, OTHER_ROW), principal=principal)
    assert layer().equals(before)
