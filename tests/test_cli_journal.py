"""The accounts and journal commands of ``sppe`` (and ``python -m sppe_data``): users,
journal export, import-activities."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest

from sppe_cli.main import main
from sppe_data import accounts, journal
from sppe_data.auth import AccessDenied, Principal

ADMIN = Principal("test.admin", "Admin", "admin")
PASSWORD = "cheval agrafe pile correcte"
IMPORT_HEADER = ["activity_kind", "pole_code", "caf_code", "status", "activity_on", "days_spent",
                 "has_findings", "undue_amount_eur"]  # fmt: skip


def run(argv, capsys, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def audit_rows() -> list[dict]:
    return journal.audit_entries(ADMIN).sort("audit_id").to_dicts()


# --- users ----------------------------------------------------------------------------------


def test_users_add_list_disable_enable_set_role_set_password(tiny_data, monkeypatch, capsys):
    code, out, err = run(["users", "add", "Agent.Atl", "--role", "pole", "--pole", "atlantique",
                          "--name", "Agent Atlantique", "--password-stdin"],
                         capsys, PASSWORD + "\n", monkeypatch)  # fmt: skip
    assert code == 0, err
    assert "Compte « agent.atl » créé (Pôle (responsable ou agent))." in out
    code, out, err = run(["users", "add", "x.y", "--role", "reader", "--password-stdin"],
                         capsys, "court\n", monkeypatch)  # fmt: skip
    assert code == 2 and "12 caractères" in err and err.startswith("Erreur : ")
    code, _, err = run(["users", "add", "agent.atl", "--password-stdin"], capsys,
                       PASSWORD + " bis\n", monkeypatch)  # fmt: skip
    assert code == 2 and "existe déjà" in err

    assert run(["users", "disable", "agent.atl"], capsys)[:2] == (
        0, "Compte « agent.atl » désactivé.\n"
    )  # fmt: skip
    assert "déjà désactivé" in run(["users", "disable", "agent.atl"], capsys)[1]
    code, out, _ = run(["users", "list"], capsys)
    assert code == 0
    assert "agent.atl · Agent Atlantique · pole · atlantique · désactivé" in out
    assert run(["users", "enable", "agent.atl"], capsys)[:2] == (
        0, "Compte « agent.atl » réactivé.\n"
    )  # fmt: skip
    code, out, _ = run(["users", "set-role", "agent.atl", "--role", "cnaf"], capsys)
    assert code == 0 and "rôle changé (Cnaf (Dpfas))" in out
    code, _, err = run(["users", "set-role", "agent.atl", "--role", "pole"], capsys)
    assert code == 2 and "pôle" in err.lower()
    code, out, err = run(["users", "set-password", "agent.atl", "--password-stdin"], capsys,
                         "velo rouge sous la pluie fine\n", monkeypatch)  # fmt: skip
    assert code == 0, err
    assert accounts.authenticate("agent.atl", "velo rouge sous la pluie fine").role == "cnaf"
    code, _, err = run(["users", "disable", "personne"], capsys)
    assert code == 2 and "personne" in err

    [user] = accounts.list_users(ADMIN)
    assert (user["role"], user["disabled"]) == ("cnaf", False)
    # Every change is in the audit log, under the command line's name, without a password.
    changes = [r for r in audit_rows() if r["entity"] == "compte"]
    assert [r["action"] for r in changes] == [
        "creation", "desactivation", "reactivation", "changement_role", "changement_mot_de_passe"
    ]  # fmt: skip
    assert {(r["actor"], r["actor_role"]) for r in changes} == {("ligne-de-commande", "admin")}
    assert all(PASSWORD not in (r["after_json"] or "") for r in changes)


def test_users_password_typed_twice_must_match(tiny_data, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    code, _, err = run(["users", "add", "agent.med", "--role", "reader"], capsys)
    assert code == 2 and "diffèrent" in err
    assert accounts.list_users(ADMIN) == []


# --- journal export -------------------------------------------------------------------------


def test_journal_export(tiny_data, tmp_path, capsys):
    who = Principal("agent.atl", "Agent", "pole", "atlantique")
    journal.save_activity(
        who,
        {"activity_kind": "consulting_n1", "pole_code": "atlantique", "caf_code": "33",
         "status": "done", "activity_on": date(2026, 1, 8), "days_spent": 2,
         "places_count": 24},
        "tok",
    )  # fmt: skip
    code, out, _ = run(["journal", "export", "--out", str(tmp_path / "x")], capsys)
    assert code == 0 and "journal_activities.parquet" in out
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


# --- import-activities ----------------------------------------------------------------------


def write_csv(path, rows: list[list[str]]) -> str:
    text = "\n".join(";".join(r) for r in [IMPORT_HEADER, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")
    return str(path)


def journal_activities() -> pl.DataFrame:
    return journal.export_tables(ADMIN)["journal_activities"]


def test_import_activities_as_a_named_operator(store_url, tmp_path, capsys):
    good = [["controle_sensible", "idf_hdf", "59", "done", "20/01/2026", "1,5", "non", "0"],
            ["suivi_ida", "mediterranee", "30", "done", "21/01/2026", "2", "", ""]]  # fmt: skip
    file = write_csv(tmp_path / "saisies.csv", good)
    code, out, err = run(["import-activities", file, "--operator", " Marie  Dupont "], capsys)
    assert code == 0, err
    assert "2 activité(s) importée(s)" in out and "« Marie Dupont »" in out
    saved = journal_activities()
    assert sorted(saved["pole_code"].to_list()) == ["idf_hdf", "mediterranee"]
    assert set(saved["created_by"].to_list()) == {"Marie Dupont"}
    imports = [r for r in audit_rows() if r["action"] == "import"]
    assert len(imports) == 2
    assert {(r["actor"], r["actor_role"]) for r in imports} == {("Marie Dupont", "cnaf")}
    assert {json.loads(r["after_json"])["pole_code"] for r in imports} == {
        "idf_hdf", "mediterranee"
    }  # fmt: skip

    # The same file again (from here or from the app): nothing new.
    code, out, _ = run(["import-activities", file, "--operator", "Paul"], capsys)
    assert code == 0 and "0 activité(s) importée(s), 2 déjà importée(s)" in out
    assert journal_activities().height == 2


def test_import_activities_refused_with_a_report_by_row(tiny_data, tmp_path, capsys):
    rows = [["controle_sensible", "idf_hdf", "59", "done", "20/01/2026", "1", "non", "0"],
            ["controle_sensible", "idf_hdf", "59", "done", "31/02/2026", "1", "non", "0"],
            ["nature_inconnue", "idf_hdf", "59", "done", "20/01/2026", "1", "", ""]]  # fmt: skip
    file = write_csv(tmp_path / "erreurs.csv", rows)
    code, out, err = run(["import-activities", file, "--operator", "Paul"], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("Erreur : import refusé : 2 erreur(s), rien n'a été enregistré.")
    lines = err.splitlines()[1:]
    assert len(lines) == 2
    assert lines[0].startswith("ligne 3 · Date : ") and lines[1].startswith("ligne 4 · ")
    assert journal_activities().height == 0
    assert audit_rows() == []


@pytest.mark.parametrize(
    ("content", "operator", "message"),
    [
        (b"nom;<script>\n1;2\n", "Paul", "Colonnes inconnues"),
        (b"\n\n", "Paul", "Le fichier est vide"),
        (b"a" * 6_000_000, "Paul", "trop volumineux"),
        ("activity_kind\ncontrôle\n".encode() + b"\xe9\n", "Paul", "encodage incohérent"),
        (b"activity_kind\ncontrole_sensible\n", "  ", "--operator"),
    ],
)
def test_import_activities_bad_input(tiny_data, tmp_path, capsys, content, operator, message):
    file = tmp_path / "saisies.csv"
    file.write_bytes(content)
    code, out, err = run(["import-activities", str(file), "--operator", operator], capsys)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err
    assert journal_activities().height == 0


def test_import_activities_missing_file_or_store(empty_data, tmp_path, capsys):
    code, _, err = run(["import-activities", str(tmp_path / "absent.csv"), "--operator", "P"],
                       capsys)  # fmt: skip
    assert code == 2 and "fichier introuvable" in err
    (empty_data / "sppe.sqlite3").unlink()
    from sppe_data import store

    store.reset_cache()
    file = write_csv(tmp_path / "saisies.csv", [["suivi_ida", "mediterranee", "30", "done",
                                                 "21/01/2026", "2", "", ""]])  # fmt: skip
    code, _, err = run(["import-activities", file, "--operator", "P"], capsys)
    assert code == 1 and "sppe migrate" in err
