"""The coverage importer: the real data.caf.fr file, and broken files refused whole."""

from __future__ import annotations

import csv

import polars as pl
import pytest

from sppe_cli.main import main as sppe_main
from sppe_data.auth import AccessDenied, Principal
from sppe_data.coverage import children_under3, import_coverage, parse_coverage
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


@pytest.fixture
def extracts(tmp_path):
    """An extracts folder already holding a valid coverage layer (two rows)."""
    folder = tmp_path / "extracts"
    report = import_coverage(csv_bytes(GOOD_ROW, OTHER_ROW), folder, principal=CNAF)
    assert report.ok
    return folder


def layer(folder) -> pl.DataFrame:
    return pl.read_parquet(folder / "coverage" / "coverage.parquet")


def test_real_file(shared_reference, tmp_path):
    folder = tmp_path / "extracts"
    report = import_coverage(shared_reference / "txcouv_pe_dep.csv", folder, principal=CNAF)
    assert report.ok, report.errors
    # 102 rows a year x 2 years, minus 977 and 978 each year: 200 rows, 4 set aside.
    assert (report.rows_read, report.rows_kept, report.years) == (204, 200, [2022, 2023])
    assert len(report.notes) == 4 and all("Guadeloupe" in n for n in report.notes)
    frame = layer(folder)
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


BROKEN = {
    "wrong separator": (csv_bytes(GOOD_ROW.replace(";", ","), header=HEADER.replace(";", ",")),
                        "Séparateur incorrect"),
    "missing column": (csv_bytes(GOOD_ROW.rsplit(";", 1)[0],
                                 header=HEADER.rsplit(";", 1)[0]), "Taux de couv global"),
    "text in a number": (csv_bytes(GOOD_ROW.replace("74.4", "beaucoup")),
                         "« beaucoup » n'est pas un nombre"),
    "unknown code": (csv_bytes(GOOD_ROW.replace(";75;", ";99;")),
                     "code département « 99 » inconnu"),
    "empty file": (b"", "vide"),
    "header only": (csv_bytes(), "aucune ligne"),
    "bad year": (csv_bytes(GOOD_ROW.replace("2023;", "20x3;", 1)), "année « 20x3 » invalide"),
    "out of range": (csv_bytes(GOOD_ROW.replace("74.4", "740")), "hors de 0 à 200"),
    "duplicate": (csv_bytes(GOOD_ROW, GOOD_ROW), "doublon de la ligne 2"),
    "short row": (csv_bytes("2023;75;PARIS"), "3 colonnes au lieu de 13"),
    "huge cell": (csv_bytes(GOOD_ROW.replace("PARIS", "P" * 10_000)), "dépasse 200 caractères"),
    "injection": (csv_bytes(GOOD_ROW.replace(";75;", ";=cmd|' /C calc'!A0;")), "inconnu"),
    "script": (csv_bytes(GOOD_ROW.replace("74.4", "<script>alert(1)</script>")),
               "n'est pas un nombre"),
    "not utf-8": (csv_bytes(GOOD_ROW).decode("utf-8").encode("utf-16"), "UTF-8"),
    "too big": (b"x" * 6_000_000, "trop volumineux"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_changes_nothing(extracts, case):
    content, expected = BROKEN[case]
    before = (extracts / "coverage" / "coverage.parquet").read_bytes()
    report = import_coverage(content, extracts, principal=CNAF)
    assert not report.ok
    assert any(expected in e for e in report.errors), report.errors
    assert "n'ont pas été modifiés" in report.summary()
    assert (extracts / "coverage" / "coverage.parquet").read_bytes() == before


def test_one_bad_row_among_good_ones_refuses_all(extracts):
    report = import_coverage(
        csv_bytes(OTHER_ROW, GOOD_ROW.replace("74.4", "n/a")), extracts, principal=CNAF
    )
    assert not report.ok
    assert report.errors == ["Ligne 3 : « Taux de couv global » : « n/a » n'est pas un nombre."]
    assert layer(extracts).height == 2


def test_quoted_values_are_cut_and_cleaned():
    _, report = parse_coverage(csv_bytes(GOOD_ROW.replace(";75;", ";" + "Z" * 150 + "\x07;")))
    message = report.errors[0]
    assert "\x07" not in message and "Z" * 40 + "…" in message and "Z" * 41 not in message


def test_decimal_comma_and_blank_rate_are_read():
    row = GOOD_ROW.replace("74.4", "74,4").replace(";13.0;", ";;")
    frame, report = parse_coverage(csv_bytes(row))
    assert report.errors == []
    assert frame["coverage_global_pct"].to_list() == [74.4]
    assert frame["coverage_home_care_pct"].to_list() == [None]


def test_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SPPE_DATA_DIR", str(tmp_path))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes(GOOD_ROW))
    bad.write_bytes(csv_bytes(GOOD_ROW.replace(";75;", ";999;")))
    assert sppe_main(["import-coverage", str(bad)]) == 1
    assert "inconnu" in capsys.readouterr().err
    assert not (tmp_path / "extracts" / "coverage").exists()
    assert sppe_main(["import-coverage", str(good)]) == 0
    assert "Import réussi : 1 lignes" in capsys.readouterr().out
    assert layer(tmp_path / "extracts")["dep_code"].to_list() == ["75"]


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
def test_only_the_cnaf_role_imports(extracts, principal):
    """The data layer itself refuses the import, whatever the page shows."""
    before = (extracts / "coverage" / "coverage.parquet").read_bytes()
    with pytest.raises(AccessDenied, match="importer des taux de couverture"):
        import_coverage(csv_bytes(GOOD_ROW, OTHER_ROW), extracts, principal=principal)
    assert (extracts / "coverage" / "coverage.parquet").read_bytes() == before
