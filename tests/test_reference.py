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


def test_pace_thresholds_live_in_one_place(tmp_path, monkeypatch):
    """The pace statuses' thresholds are rules.toml [pace]: no query or module writes
    0.95 or 0.8 of its own, and the SQL macro, the bullets' bands and the captions all
    move when the file does."""
    import ast
    import re
    from pathlib import Path

    from sppe_data import labels, reference, settings
    from tests.conftest import _clear_caches

    root = Path(__file__).resolve().parents[1]
    thresholds = (0.95, 0.8)
    percents = re.compile(r"\b(95|80)(\s|\u00a0)?%")

    def is_threshold(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in thresholds

    copies = []
    for folder in ("sppe_data", "ui", "charts", "exports", "app_pages", "sppe_cli"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                # A comparison with 0.95 or 0.8, a product of the expected by one, or a
                # sentence stating « 95 % » / « 80 % »: the rule written again.
                compared = isinstance(node, ast.Compare) and any(
                    is_threshold(n) for n in (node.left, *node.comparators)
                )
                scaled = (
                    isinstance(node, ast.BinOp)
                    and isinstance(node.op, ast.Mult)
                    and (is_threshold(node.left) or is_threshold(node.right))
                    and "expected" in ast.unparse(node)
                )
                stated = (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and percents.search(node.value)
                )
                if compared or scaled or stated:
                    copies.append(f"{path.relative_to(root)}:{node.lineno}")
    for path in (root / "queries").glob("*.sql"):
        if re.search(r"(?<![\w.])0?\.(95|80?)\b", path.read_text(encoding="utf-8")):
            copies.append(path.name)
    assert [c for c in copies if not c.startswith("sppe_data/demo")] == []
    shipped = reference.pace_thresholds()
    assert (shipped.on_track_from, shipped.watch_from) == (0.95, 0.80)
    assert "≥ 95\u00a0% ; à surveiller : 80 à 95\u00a0% ; en retard : < 80\u00a0%" in (
        labels.pace_rule()
    )
    # The glossary and the README, written by hand, state the same thresholds.
    glossary = (settings.REFERENCE_DIR / "glossary.csv").read_text(encoding="utf-8")
    assert "≥ 95 % dans la trajectoire, 80 à 95 % à surveiller, < 80 % en retard" in glossary
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "Dans la trajectoire ≥ 95 %, à surveiller 80 à 95 %" in readme
    # Another file: the macro and the words follow.
    folder = tmp_path / "reference"
    folder.mkdir()
    for item in settings.REFERENCE_DIR.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    text = (folder / "rules.toml").read_text(encoding="utf-8")
    text = text.replace("on_track_from = 0.95", "on_track_from = 0.9").replace(
        "watch_from = 0.80", "watch_from = 0.7"
    )
    (folder / "rules.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(settings, "REFERENCE_DIR", folder)
    monkeypatch.setattr(reference, "REFERENCE_DIR", folder)
    reference._rules.cache_clear()
    try:
        assert "en retard : < 70\u00a0%" in labels.pace_rule()
        import duckdb

        from sppe_data import catalog

        con = duckdb.connect()
        pace = reference.pace_thresholds()
        con.execute(f"create macro pace_on_track_from() as {pace.on_track_from!r}")
        con.execute(f"create macro pace_watch_from() as {pace.watch_from!r}")
        con.execute((catalog.QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8")
                    .split("-- Share of an operating window")[0])  # fmt: skip
        got = con.execute(
            "select pace_status(r, 100) from (values (91), (89), (70), (69)) as t(r)"
        ).fetchall()
        assert [g[0] for g in got] == ["on_track", "watch", "watch", "behind"]
    finally:
        reference._rules.cache_clear()
        _clear_caches()


def test_realised_is_defined_once():
    """« Réalisée » is the macro is_done of _macros.sql (read through the view
    activities_done): no other query compares a status with 'done' itself."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"status\s*(=|in\s*\()\s*'done'", re.IGNORECASE)
    copies = [
        path.name
        for path in (root / "queries").glob("*.sql")
        if path.name != "_macros.sql" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert copies == []
    assert pattern.search((root / "queries" / "_macros.sql").read_text(encoding="utf-8"))
