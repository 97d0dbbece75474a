"""The accounts and journal commands of ``python -m sppe_data``."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from sppe_data import accounts, cli, journal
from sppe_data.auth import AccessDenied, Principal


def test_users_add_list_disable(tiny_data, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe solide\n"))
    assert cli.main(["users", "add", "Agent.Atl", "--role", "pole", "--pole", "atlantique",
                     "--password-stdin"]) == 0  # fmt: skip
    assert "Compte « agent.atl » créé" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert cli.main(["users", "add", "x.y", "--role", "reader", "--password-stdin"]) == 2
    assert "trop court" in capsys.readouterr().err
    assert cli.main(["users", "disable", "agent.atl"]) == 0
    assert cli.main(["users", "list"]) == 0
    assert "agent.atl · agent.atl · pole · atlantique · désactivé" in capsys.readouterr().out
    assert cli.main(["users", "disable", "personne"]) == 2
    assert accounts.list_users()[0]["disabled"] is True


def test_journal_export(tiny_data, tmp_path, capsys):
    who = Principal("agent.atl", "Agent", "pole", "atlantique")
    journal.save_activity(
        who,
        {"activity_kind": "consulting_n1", "pole_code": "atlantique", "caf_code": "33",
         "status": "done", "activity_on": date(2026, 1, 8), "days_spent": 2,
         "places_count": 24},
        "tok",
    )  # fmt: skip
    assert cli.main(["journal", "export", "--out", str(tmp_path / "x")]) == 0
    exported = pl.read_parquet(tmp_path / "x" / "journal_activities.parquet")
    assert exported["places_count"].to_list() == [24]
    assert exported["created_by"].to_list() == ["agent.atl"]


def test_a_pole_cannot_record_a_cnaf_only_request(tiny_data):
    request = {"caf_code": "33", "request_nature": "appel_projets", "priority": "normale",
               "status": "received", "received_on": date(2026, 1, 8)}  # fmt: skip
    with pytest.raises(AccessDenied, match="Cnaf uniquement"):
        journal.save_request(Principal("a", "A", "pole", "atlantique"), request, "t")
    saved = journal.save_request(Principal("c", "C", "cnaf"), request, "t")
    assert saved.created
