"""``sppe check``: the rows of the extracts whose codes the reference does not know
(pôle, département, Caf, activity kind, status, equipment kind), counted per extract
and column with examples. Rows planted by hand in the tiny data set; every expected
count and example below is read off the PLANTED lists."""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlalchemy as sa

from sppe_cli.main import main
from sppe_data import checks
from sppe_data.extracts import polars_schema
from tests.conftest import _clear_caches

# (extract, row): the columns not given are null. Codes known to the reference:
# pôles idf_hdf, centre_est, mediterranee, atlantique, centre_ouest; départements and
# Caf codes 01..95, 2A, 2B, 971..976; statuses planned/in_progress/done/cancelled.
PLANTED = {
    "activities": [
        # X01: no pôle (an overseas Caf's activity booked to no pôle).
        {"activity_id": "X01", "activity_kind": "controle_sensible", "pole_code": None,
         "caf_code": "971", "dep_code": "971", "status": "done"},
        # X02: an unknown pôle code, and an equipment kind from another list.
        {"activity_id": "X02", "activity_kind": "suivi_ida", "pole_code": "outre_mer",
         "caf_code": "972", "dep_code": "972", "status": "done", "equipment_kind": "creche"},
        # X03: département, Caf, kind and status unknown (a French label is not a code).
        {"activity_id": "X03", "activity_kind": "visite", "pole_code": "idf_hdf",
         "caf_code": "99", "dep_code": "99", "status": "Réalisée"},
        # X04-X07: four more unknown pôles (6 in all, 5 examples shown: X01, X02, X04,
        # X05, X06); X04 also has no status.
        {"activity_id": "X04", "activity_kind": "suivi_ida", "pole_code": "IDF_HDF",
         "caf_code": "59", "dep_code": "59", "status": None},
        {"activity_id": "X05", "activity_kind": "suivi_ida", "pole_code": "zz",
         "caf_code": "59", "dep_code": "59", "status": "done"},
        {"activity_id": "X06", "activity_kind": "suivi_ida", "pole_code": "zz",
         "caf_code": "59", "dep_code": "59", "status": "done"},
        {"activity_id": "X07", "activity_kind": "suivi_ida", "pole_code": None,
         "caf_code": "59", "dep_code": "59", "status": "done"},
        # X08: every code known, equipment kind absent (optional): not reported.
        {"activity_id": "X08", "activity_kind": "suivi_ida", "pole_code": "idf_hdf",
         "caf_code": "59", "dep_code": "59", "status": "done"},
    ],
    "requests": [
        {"request_id": "R1", "caf_code": "59", "pole_code": None,
         "request_nature": "controle_sensible", "status": "ouverte"},
        {"request_id": "R2", "caf_code": "Z9", "pole_code": "idf_hdf",
         "request_nature": "inconnue", "status": "received"},
    ],
    "projects": [
        {"project_id": "P9", "pole_code": "nord", "caf_code": "59", "dep_code": "59",
         "project_kind": "creche", "stage": "en_cours"},
    ],
    "partners": [
        {"partner_id": "PX", "partner_name": "Partenaire X", "head_office_dep_code": "00"},
    ],
    "staff": [{"staff_id": "E9", "pole_code": None, "fte": 1.0}],
    "coverage": [{"year": 2024, "dep_code": "00"}],
}  # fmt: skip

EXPECTED = [
    ("activities", "pole_code", 6,
     [("X01", None), ("X02", "outre_mer"), ("X04", "IDF_HDF"), ("X05", "zz"), ("X06", "zz")]),
    ("activities", "dep_code", 1, [("X03", "99")]),
    ("activities", "caf_code", 1, [("X03", "99")]),
    ("activities", "activity_kind", 1, [("X03", "visite")]),
    ("activities", "status", 2, [("X03", "Réalisée"), ("X04", None)]),
    ("activities", "equipment_kind", 1, [("X02", "creche")]),
    ("requests", "pole_code", 1, [("R1", None)]),
    ("requests", "caf_code", 1, [("R2", "Z9")]),
    ("requests", "request_nature", 1, [("R2", "inconnue")]),
    ("requests", "status", 1, [("R1", "ouverte")]),
    ("projects", "pole_code", 1, [("P9", "nord")]),
    ("projects", "stage", 1, [("P9", "en_cours")]),
    ("projects", "project_kind", 1, [("P9", "creche")]),
    ("partners", "head_office_dep_code", 1, [("PX", "00")]),
    ("staff", "pole_code", 1, [("E9", None)]),
    ("coverage", "dep_code", 1, [("2024/00", "00")]),
]  # fmt: skip


def plant(data_dir) -> None:
    """Each extract gets a second Parquet file holding the planted rows."""
    for name, rows in PLANTED.items():
        schema = polars_schema(name)
        frame = pl.DataFrame(
            [{c: row.get(c) for c in schema} for row in rows], schema=schema, orient="row"
        )
        frame.write_parquet(data_dir / "extracts" / name / "planted.parquet")
    _clear_caches()


def found() -> list[tuple]:
    return [
        (u.extract_name, u.column_name, u.row_count, list(u.examples))
        for u in checks.unknown_codes()
    ]


def test_the_tiny_data_set_has_no_unknown_code(tiny_data):
    assert checks.unknown_codes() == []


def test_planted_unknown_codes_counted_with_examples(tiny_data):
    plant(tiny_data)
    assert found() == EXPECTED


def test_journal_rows_are_not_checked(tiny_data):
    # A live journal row with an unknown pôle, written around the journal's validation:
    # the check reads the extracts only (the journal validates at entry).
    from sppe_data import store
    from sppe_data.store import schema

    with store.get_store().write() as conn:
        conn.execute(
            schema.activity_entries.insert().values(
                activity_id="JA000000000001", activity_kind="visite", pole_code="zz",
                caf_code="99", dep_code="99", status="Réalisée", activity_on=date(2026, 1, 5),
                days_spent=1.0, travel_fee_eur=0.0, submission_token="jeton-check",
                created_by="test", created_at=sa.func.current_timestamp(), is_deleted=False,
            )
        )  # fmt: skip
        store.Store.bump(conn, "activity_entries")
    _clear_caches()
    from sppe_data import db

    assert (
        db.run_sql("extract_row_counts")
        .filter(pl.col("extract_name") == "activities")["row_count"]
        .item()
        == 23
    )  # 22 tiny rows + the journal's: it is in the figures
    assert checks.unknown_codes() == []


def test_describe_is_french_and_names_the_examples(tiny_data):
    plant(tiny_data)
    lines = {(u.extract_name, u.column_name): u.describe() for u in checks.unknown_codes()}
    assert lines[("activities", "pole_code")] == (
        "Activités des pôles — pôle (pole_code) : 6 lignes au code inconnu ou absent ; exemples : "
        "X01 : (vide), X02 : « outre_mer », X04 : « IDF_HDF », X05 : « zz », X06 : « zz »."
    )
    assert lines[("coverage", "dep_code")] == (
        "Taux de couverture petite enfance (data.caf.fr) — département (dep_code) : 1 ligne "
        "au code inconnu ou absent ; exemples : 2024/00 : « 00 »."
    )


def test_sppe_check_exit_1_with_counts_and_examples(tiny_data, capsys):
    plant(tiny_data)
    code = main(["check"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Données et référentiels cohérents" not in out
    assert "Codes inconnus du référentiel dans les extractions" in err
    assert "ne sont pas comptées" in err  # the journal's rows: said, not checked
    listed = [line for line in err.splitlines() if line.startswith("- ")]
    assert len(listed) == len(EXPECTED)
    assert (
        "- Saisines des Caf — statut (status) : 1 ligne au code inconnu ou absent ; "
        "exemples : R1 : « ouverte »." in listed
    )
    assert "Traceback" not in err


def test_sppe_check_clean_data_exit_0(tiny_data, capsys):
    code = main(["check"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Codes inconnus" not in err
    assert "Données et référentiels cohérents." in out
