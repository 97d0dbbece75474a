"""Reference data: départements from the registry, pôles, indicators, targets."""

from __future__ import annotations

import csv

import polars as pl

from sppe_data import reference


def test_101_departements_with_string_codes():
    deps = reference.departements()
    assert deps.height == 101
    codes = deps["dep_code"].to_list()
    assert codes[:3] == ["01", "02", "03"]
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert "20" not in codes and "975" not in codes
    assert deps["dep_code"].n_unique() == 101
    assert deps["region_code"].n_unique() == 18
    assert deps["caf_code"].n_unique() == 101


def test_names_and_cafs_read_naturally():
    deps = reference.departements()
    caf = dict(deps.select("dep_code", "caf_name").iter_rows())
    assert caf["01"] == "Caf de l'Ain"
    assert caf["21"] == "Caf de la Côte-d'Or"
    assert caf["30"] == "Caf du Gard"
    assert caf["13"] == "Caf des Bouches-du-Rhône"
    assert caf["75"] == "Caf de Paris"
    assert caf["974"] == "Caf de La Réunion"


def test_populations_are_plausible():
    deps = reference.departements()
    total = deps["population_count"].sum()
    assert 66_000_000 < total < 69_000_000  # France, overseas included (INSEE ~ 68 M)
    pop = dict(deps.select("dep_code", "population_count").iter_rows())
    assert 2_000_000 < pop["75"] < 2_300_000  # Paris
    assert 2_500_000 < pop["59"] < 2_700_000  # Nord
    assert pop["48"] < 100_000  # Lozère


def test_every_departement_has_one_pole():
    mapping = reference.departement_poles()
    assert mapping.height == 101
    counts = dict(mapping.group_by("pole_code").len().iter_rows())
    # Overseas départements are attached to Centre-Est for control support.
    overseas = mapping.filter(pl.col("is_overseas"))
    assert sorted(overseas["dep_code"]) == ["971", "972", "973", "974", "976"]
    assert set(overseas["pole_code"]) == {"centre_est"}
    assert sum(counts.values()) == 101
    dep_pole = dict(mapping.select("dep_code", "pole_code").iter_rows())
    assert dep_pole["21"] == dep_pole["52"] == dep_pole["69"] == "centre_est"
    assert dep_pole["30"] == dep_pole["13"] == dep_pole["2A"] == "mediterranee"
    assert dep_pole["75"] == dep_pole["59"] == "idf_hdf"
    assert dep_pole["33"] == "atlantique"
    assert dep_pole["35"] == dep_pole["45"] == dep_pole["14"] == "centre_ouest"


def test_pivot_cafs_of_the_letter():
    pivots = reference.pivot_cafs()
    assert sorted(pivots.filter(pl.col("pole_code") == "centre_est")["caf_code"]) == ["21", "52"]
    assert pivots.filter(pl.col("pole_code") == "mediterranee")["caf_code"].to_list() == ["30"]
    assert reference.poles().height == 5


def test_reference_files_are_consistent():
    assert reference.validate() == []


def test_targets_of_the_letter():
    t = reference.targets().filter(pl.col("year") == 2025)
    got = dict(t.select("indicator_code", "target_count").iter_rows())
    assert got == {
        "audits_terrain": 30,
        "controles_appui_plans": 250,
        "controles_sensibles": 50,
        "controles_multi_dep": 150,
        "etudes_consulting": 150,
        "suivis_ida": 200,
    }


def test_every_kind_maps_to_a_known_indicator_and_every_indicator_has_a_kind():
    kinds = reference.activity_kinds()
    assert kinds.height == 16
    mapped = set(kinds["indicator_code"].drop_nulls())
    assert mapped == set(reference.indicators()["indicator_code"])
    assert set(kinds["domain"]) == {"maitrise_risques", "ingenierie"}
    assert set(kinds["routing"]) == {"direct", "cnaf", "cnaf_only"}


def test_codes_agree_with_caf_open_data(shared_reference):
    """Every département of the data.caf.fr coverage file is in the reference table."""
    with (shared_reference / "txcouv_pe_dep.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    codes = {r["Numéro Département"].strip().zfill(2) for r in rows}
    ours = set(reference.departements()["dep_code"])
    # 977 and 978 (Saint-Barthélemy, Saint-Martin) are overseas collectivities, not
    # départements: the Caf de la Guadeloupe serves them.
    assert codes - ours == {"977", "978"}
    assert ours - codes <= {"976"}
    names = {r["Numéro Département"].strip().zfill(2): r["Nom Département"] for r in rows}
    assert names["2A"] == "CORSE DU SUD"
    assert names["974"] == "LA REUNION"


def test_no_module_carries_its_own_list_of_activity_kinds():
    """Which kinds are controls, take a partner, an equipment or places: columns of
    activity_kinds.csv, read through ``reference.kinds_with``. A set, list or tuple of
    two kind codes or more written in the code is a second copy of that rule."""
    import ast
    from pathlib import Path

    from sppe_data import reference

    root = Path(__file__).resolve().parents[1]
    codes = set(reference.shipped_activity_kinds()["activity_kind"])
    copies = []
    for folder in ("sppe_data", "ui", "charts", "exports", "app_pages", "geo", "sppe_cli"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Set | ast.List | ast.Tuple):
                    values = [
                        e.value for e in node.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    ]  # fmt: skip
                    if len([v for v in values if v in codes]) >= 2:
                        copies.append(f"{path.relative_to(root)}:{node.lineno}")
    assert copies == []
    # The flags themselves, as the mission letter and the forms use them.
    assert reference.kinds_with("is_control") == {
        "controle_sensible", "controle_appui_plan", "controle_multi_dep", "audit_terrain",
    }  # fmt: skip
    assert reference.kinds_with("has_partner") == {"controle_multi_dep"}
