"""``bench --pages``: one result per page the role may open (reader, admin), with positive
times and payloads (a page with a chart heavier than the Glossaire); an unknown role
refused in French; a page that raises reported with exit 1, the other pages measured;
pages on missing data measured, not failed; the patches that observe the runs put back
afterwards."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import streamlit.testing.v1.local_script_runner as local_runner

from sppe_cli.main import main
from sppe_data import db
from ui import navigation


def expected_titles(role: str) -> list[str]:
    """The menu's pages open to ``role``, from the registry's roles directly."""
    return [p.title for p in navigation.PAGES if p.roles is None or role in p.roles]


def cli(*args: str) -> tuple[int, str, str]:
    """``sppe`` in this process: exit code, stdout, stderr. Not capsys: AppTest makes
    Streamlit's log handlers again on the stderr of the moment, which capsys closes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # a usage error, from argparse
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def bench(data_dir: Path, *args: str) -> tuple[int, str, str]:
    return cli("bench", "--pages", "--data", str(data_dir), *args)


def test_every_page_of_the_role_measured(tiny_data):
    run_sql, parse_tree = db.run_sql, local_runner.parse_tree_from_messages
    code, out, err = bench(tiny_data, "--json", "--repeat", "2")
    assert code == 0, err
    results = json.loads(out)  # the progress lines go to stderr: stdout is JSON only
    assert [r["page"] for r in results] == expected_titles("reader")
    for r in results:
        assert r["error"] is None, r
        assert len(r["runs_ms"]) == 2
        for key in ("median_ms", "p90_ms", "cold_ms", "payload_bytes"):
            assert r[key] > 0, (r["page"], key)
        assert r["p90_ms"] >= r["median_ms"]
        assert r["query_ms"] >= 0 and r["warm_query_ms"] >= 0
        assert sum(r["payload_by_type"].values()) == r["payload_bytes"]
        assert not r["data_unavailable"]
    by_page = {r["page"]: r for r in results}
    synthese, carte, glossaire = (by_page[p] for p in ("Synthèse", "Carte des pôles", "Glossaire"))
    assert "plotly_chart" in synthese["payload_by_type"]
    assert "plotly_chart" in carte["payload_by_type"]  # the map
    assert synthese["payload_bytes"] > glossaire["payload_bytes"]
    assert carte["payload_bytes"] > 5 * glossaire["payload_bytes"]
    # Cold: the caches emptied, so the Synthèse runs its queries; warm: none run.
    assert synthese["query_count"] >= 1 and synthese["query_ms"] > 0
    assert synthese["warm_query_ms"] == 0
    assert glossaire["query_count"] == 0
    # Nothing left behind: the patched functions and the environment are the originals.
    assert db.run_sql is run_sql and local_runner.parse_tree_from_messages is parse_tree
    assert os.environ["SPPE_DATA_DIR"] == str(tiny_data)


def test_unknown_role_refused_in_french(tiny_data):
    code, out, err = bench(tiny_data, "--role", "chef")
    assert code == 2 and out == ""
    assert "rôle inconnu « chef »" in err and "reader, pole, cnaf, admin" in err


def test_page_options_need_pages(tiny_data):
    code, _out, err = cli("bench", "--json", "--role", "cnaf")
    assert code == 2
    assert "--role, --json : seulement avec --pages." in err


def test_a_page_that_raises_is_reported(tiny_data, monkeypatch):
    from sppe_data import steering

    def broken():
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(steering, "glossary", broken)
    code, out, err = bench(tiny_data, "--json", "--repeat", "1", "--role", "admin")
    assert code == 1
    results = {r["page"]: r for r in json.loads(out)}
    assert list(results) == expected_titles("admin")  # every page still measured
    assert results["Glossaire"]["error"] == "RuntimeError : panne simulée"
    assert [p for p, r in results.items() if r["error"]] == ["Glossaire"]
    assert "Erreur : la page « Glossaire » a échoué : RuntimeError : panne simulée" in err
    assert "Traceback" not in err


def test_missing_data_measured_not_failed(empty_data):
    code, out, err = bench(empty_data, "--repeat", "1")
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Page"))
    for column in ("médiane", "p90", "à froid", "Mo envoyés", "requêtes"):
        assert column in header
    rows = {line[:32].strip(): line for line in lines if line[:32].strip()}
    assert all(title[:32].strip() in rows for title in expected_titles("reader"))
    assert "(données indisponibles)" in rows["Synthèse"]
    assert "(données indisponibles)" not in rows["Glossaire"]
    assert "ERREUR" not in out


def test_a_long_table_counted_as_a_server_sends_it(tmp_path):
    """AppTest sends every table whole; a server sends a table of more than 150 000 rows
    in pages: the payload is the server's."""
    from streamlit.testing.v1 import AppTest

    from sppe_cli.page_bench import _Probe

    script = tmp_path / "long_table.py"
    script.write_text(
        "import polars as pl\nimport streamlit as st\n"
        "st.dataframe(pl.DataFrame({'n': range(200_000)}))\n",
        encoding="utf-8",
    )
    with _Probe() as probe:
        shown = probe.run(AppTest.from_file(str(script), default_timeout=60))
    assert shown.error is None
    assert 0 < shown.payload_by_type["dataframe"] < 200_000  # whole, it is 1.6 MB of int64


def test_browser_table_by_address_and_by_click():
    """The browser's table in French: both ways of reaching a page side by side, « — »
    where a page has no such element; the page script renders (its % escaped)."""
    from sppe_cli import page_bench

    result = page_bench.PageResult("Carte des pôles", "app_pages/carte_poles.py")
    result.browser = {"title_ms": 3000, "kpi_ms": None, "chart_ms": 6000, "map_ms": 9000,
                      "idle_ms": 5000}  # fmt: skip
    result.browser_click = {"title_ms": 500, "kpi_ms": None, "chart_ms": 1500,
                            "map_ms": 2500, "idle_ms": 900}  # fmt: skip
    skipped = page_bench.PageResult("Glossaire", "app_pages/glossaire.py")
    lines = page_bench.browser_report([result, skipped])
    text = "\n".join(lines)
    assert "par l’adresse de la page" in text and "par un clic dans le menu" in text
    header = next(line for line in lines if line.startswith("Page"))
    assert header.count("carte") == 2 and header.count("1er KPI") == 2
    row = next(line for line in lines if line.startswith("Carte des pôles"))
    by_address, by_click = row[32:].split("│")
    assert by_address.split() == ["3000", "—", "6000", "9000", "5000"]
    assert by_click.split() == ["500", "—", "1500", "2500", "900"]
    assert not any(line.startswith("Glossaire") for line in lines)  # not measured
    assert "infobulle" in text  # what « carte » means
    script = page_bench.MARKS_SCRIPT % {
        "marks": json.dumps(page_bench.BROWSER_MARKS),
        "nav": json.dumps(page_bench.NAV_LINK),
        "probe_for_ms": 1000,
    }
    assert "%(" not in script and "probes++ % PROBES.length" in script
    assert page_bench.NAV_LINK in script
    assert result.as_json()["browser_click"]["map_ms"] == 2500
