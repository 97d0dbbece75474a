"""``sppe migrate``, ``backup`` and ``restore`` on both engines."""

from __future__ import annotations

from datetime import date

import pytest

from sppe_cli import store_commands
from sppe_cli.main import main
from sppe_data import journal, store
from sppe_data.auth import Principal

CNAF = Principal("agent.cnaf", "Agent Cnaf", "cnaf")


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def activity(day: int) -> dict:
    return {"activity_kind": "suivi_ida", "pole_code": "mediterranee", "caf_code": "30",
            "status": "done", "activity_on": date(2026, 1, day), "days_spent": 1}  # fmt: skip


def journal_ids() -> list[str]:
    frame = journal.export_tables(Principal("a", "A", "admin"))["journal_activities"]
    return sorted(frame.filter(~frame["is_deleted"])["activity_id"].to_list())


@pytest.fixture
def fresh_dir(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    store.reset_cache()
    yield data_dir
    store.reset_cache()


def test_migrate_creates_then_finds_the_store_up_to_date(fresh_dir, capsys):
    head = store.head_revision()
    code, out, err = run(["migrate", "--check"], capsys)
    assert code == 1 and "schéma absent" in err and "sppe migrate" in err
    assert not (fresh_dir / "sppe.sqlite3").exists()  # --check writes nothing
    code, out, _ = run(["migrate"], capsys)
    assert code == 0
    assert out == f"Base de données sqlite:///{fresh_dir}/sppe.sqlite3 : schéma vide → {head}.\n"
    code, out, _ = run(["migrate"], capsys)
    assert code == 0 and out.endswith(f"schéma {head} déjà à jour.\n")
    assert run(["migrate", "--check"], capsys)[0] == 0
    assert store.schema_status() == (head, head)


def test_migrate_imports_the_former_files_when_present(fresh_dir, monkeypatch, capsys):
    calls = []

    def fake_import(data_dir, url=None):
        calls.append(data_dir)
        return {"activity_entries": 12, "request_entries": 3, "audit_log": 20, "accounts": 4}

    monkeypatch.setattr(store, "import_legacy", fake_import)
    assert run(["migrate"], capsys)[0] == 0
    assert calls == []  # no former file: nothing to import
    (fresh_dir / "users.json").write_text('{"users": {}}', encoding="utf-8")
    code, out, _ = run(["migrate"], capsys)
    assert code == 0 and calls == [fresh_dir]
    assert (
        "Reprise de users.json" in out
        and "activités : 12, saisines : 3, entrées d'audit : 20, comptes : 4" in out
    )


def test_migrate_imports_a_real_former_accounts_file(fresh_dir, capsys):
    import json

    users = {"users": {"ancien.agent": {"name": "Ancien", "role": "reader", "pole_code": None,
                                        "hash": "$argon2id$v=19$m=65536,t=3,p=4$x$y",
                                        "disabled": False, "failed_count": 0,
                                        "locked_until": None}}}  # fmt: skip
    (fresh_dir / "users.json").write_text(json.dumps(users), encoding="utf-8")
    code, out, _ = run(["migrate"], capsys)
    assert code == 0 and "comptes : 1" in out
    code, out, _ = run(["migrate"], capsys)  # idempotent
    assert code == 0 and "comptes : 0" in out
    assert (fresh_dir / "users.json").exists()


def test_backup_and_restore_round_trip(store_url, tmp_path, capsys):
    first = journal.save_activity(CNAF, activity(5), "t1").entity_id
    code, out, err = run(["backup", "--out", str(tmp_path / "sauvegardes")], capsys)
    assert code == 0, err
    [snapshot] = list((tmp_path / "sauvegardes").iterdir())
    assert str(snapshot) in out
    second = journal.save_activity(CNAF, activity(6), "t2").entity_id
    journal.cancel_activity(CNAF, first)
    assert journal_ids() == [second]

    code, out, err = run(["restore", str(snapshot)], capsys)
    assert code == 2 and "--yes" in err and "remplace tout le contenu" in err
    assert journal_ids() == [second]  # not confirmed: untouched

    code, out, err = run(["restore", str(snapshot), "--yes"], capsys)
    assert code == 0, err
    assert "restaurée" in out
    assert journal_ids() == [first]


def test_restore_refuses_what_is_not_a_backup(store_url, tmp_path, capsys):
    code, _, err = run(["restore", str(tmp_path / "absente.sqlite3"), "--yes"], capsys)
    assert code == 2 and "sauvegarde introuvable" in err
    bogus = tmp_path / ("x.sqlite3" if store_url.startswith("sqlite") else "x.pgdump")
    bogus.write_bytes(b"pas une sauvegarde")
    code, _, err = run(["restore", str(bogus), "--yes"], capsys)
    assert code == 1 and "Traceback" not in err and err.startswith("Erreur : ")


def test_backup_without_a_store_fails_in_french(fresh_dir, tmp_path, capsys):
    code, _, err = run(["backup", "--out", str(tmp_path / "s")], capsys)
    assert code == 1 and "sppe migrate" in err


def test_operator_names(monkeypatch):
    assert store_commands.operator_principal("  Marie\tDupont ").user_id == "Marie Dupont"
    for bad in ["", "   ", "x" * 101, "Marie\x00"]:
        with pytest.raises(store_commands.CommandError):
            store_commands.operator_principal(bad)
