"""The load bench: two simulated users on the real server with writes going on report
the server's memory, the writes and a first display of every page, and exit 0; a page
error (the router's French message, an exception element) is recognised in the server's
messages and gives exit 1."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from sppe_cli import load_bench, page_bench
from sppe_cli.common import EXIT_FAILED
from ui import navigation


def run_main(**options) -> tuple[int, str, str]:
    args = argparse.Namespace(
        data=None, scale=None, role=None, json=True, users=2, duration=3.0, think=0.2,
        write_every=0.5, write_pairs=1,
    )  # fmt: skip
    for key, value in options.items():
        setattr(args, key, value)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = load_bench.main(args)
    return code, out.getvalue(), err.getvalue()


def test_two_users_with_writes(tiny_data):
    code, out, err = run_main(data=str(tiny_data), role="reader")
    assert code == 0, err
    result = json.loads(out)  # the progress lines go to stderr: stdout is JSON only
    assert result["failures"] == [] and result["server_errors"] == []
    assert (
        result["rss_peak_bytes"] >= result["rss_load_peak_bytes"] >= result["rss_final_bytes"] > 0
    )
    assert result["rss_samples"] >= 2
    assert result["writes"] >= 1 and result["write_errors"] == []
    pages = result["pages"]
    assert [p["page"] for p in pages] == [p.title for p in navigation.pages_for("reader")]
    for page in pages:
        assert page["first_ms"] > 0, page
        assert page["errors"] == []
    visited = [p for p in pages if p["visits"]]
    assert visited and result["visits"] == sum(p["visits"] for p in pages)
    for page in visited:
        assert page["p90_ms"] >= page["median_ms"] > 0
    for page in pages:
        assert page["before_write_ms"] > 0 and page["after_write_ms"] > 0, page
        assert abs(page["extra_ms"] - (page["after_write_ms"] - page["before_write_ms"])) < 0.2


def failed_page() -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.alert.body = f"{page_bench.PAGE_FAILED}. Réessayez."
    return msg


def test_page_errors_recognised():
    assert load_bench.page_error(failed_page()) == f"{page_bench.PAGE_FAILED}. Réessayez."
    raised = ForwardMsg()
    raised.delta.new_element.exception.type = "ZeroDivisionError"
    assert load_bench.page_error(raised) == "exception : ZeroDivisionError"
    hidden = ForwardMsg()  # the app shows no error details
    hidden.delta.new_element.exception.SetInParent()
    assert load_bench.page_error(hidden).startswith("exception")
    fine = ForwardMsg()
    fine.delta.new_element.alert.body = "Aucune saisie récente à votre nom."
    assert load_bench.page_error(fine) is None
    assert load_bench.page_error(ForwardMsg(script_finished=0)) is None


def test_a_page_error_exits_1(monkeypatch):
    def failing_run(data, **kwargs):
        result = load_bench.LoadResult(2, "reader", 3.0, [load_bench.PageStats("Synthèse", "x")])
        result.rss.append((0.0, 1 << 20))
        visit = load_bench.Visit("Synthèse", 0, 0.0, 12.0, page_bench.PAGE_FAILED)
        result.pages[0].visits.append(visit)
        return result

    monkeypatch.setattr(load_bench, "run", failing_run)
    code, out, err = run_main()
    assert code == EXIT_FAILED
    assert json.loads(out)["failures"] == [
        f"la page « Synthèse » a échoué : {page_bench.PAGE_FAILED}"
    ]
    assert "Erreur : la page « Synthèse » a échoué" in err
