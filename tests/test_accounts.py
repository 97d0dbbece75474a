"""Accounts in the store, on SQLite and PostgreSQL (``store_url``): role checks in the data
layer for every function and every role, the password policy, lock-out, throttle per
address, one answer for every refusal (and its timing), disable never undone by a
concurrent sign-in, open sessions following the account, identity-provider accounts,
no password hash leaving the module, injection strings as identifiers."""

from __future__ import annotations

import contextlib
import json
import statistics
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from sppe_data import accounts, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.store import schema

ADMIN = Principal("admin.test", "Admin Test", "admin")
OPERATOR = Principal("ligne-de-commande", "Ligne de commande", "admin")  # the CLI's
CALLERS = {
    "reader": Principal("lecteur", "Lecteur", "reader"),
    "pole": Principal("agent", "Agent", "pole", "atlantique"),
    "cnaf": Principal("dpfas", "Dpfas", "cnaf"),
    "admin": ADMIN,
    "none": None,
}
PASSWORD = "girafe nuageuse sur le toit"
OTHER_PASSWORD = "tramway violet du dimanche"
REFUSED = accounts.SIGN_IN_REFUSED
LONGEST = (
    "Le vent du large souffle sur les dunes de sable blond ; les mouettes crient "
    "au-dessus des barques colorées du port de pêche !!!!"
)
assert len(LONGEST) == accounts.PASSWORD_MAX
INJECTIONS = [
    "' or '1'='1",
    "admin'--",
    "x'); drop table accounts; --",
    'agent.med" or ""="',
    "agent.med\x00",
    "%",
    "_",
    "agent.med' union select password_hash from accounts --",
    "🙂" * 300,
]


@pytest.fixture
def fast_hash(monkeypatch):
    """Cheap argon2 parameters (same algorithm, same code paths): the machine is shared.
    The timing test uses the real ones."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("factice"))


@pytest.fixture
def agent(store_url, fast_hash) -> str:
    accounts.add_user(ADMIN, "agent.med", PASSWORD, "pole", "mediterranee", "Agent Méd")
    return "agent.med"


def account_row(username: str):
    t = schema.accounts
    rows = store.get_store().rows(sa.select(t).where(t.c.username == username))
    return rows[0] if rows else None


def audit_rows() -> list:
    t = schema.audit_log
    return store.get_store().rows(sa.select(t).order_by(t.c.audit_id))


def refused(username, password, client_key=None, now=None) -> str:
    with pytest.raises(accounts.SignInError) as info:
        accounts.authenticate(username, password, client_key, now=now)
    return str(info.value)


# --- role checks ----------------------------------------------------------------------------


CALLS = {
    "add_user": lambda c: accounts.add_user(c, "nouveau.compte", OTHER_PASSWORD, "reader"),
    "list_users": lambda c: accounts.list_users(c),
    "disable_user": lambda c: accounts.disable_user(c, "agent.med"),
    "enable_user": lambda c: accounts.enable_user(c, "agent.med"),
    "set_role": lambda c: accounts.set_role(c, "agent.med", "cnaf"),
    "set_password": lambda c: accounts.set_password(c, "agent.med", OTHER_PASSWORD),
}


@pytest.mark.parametrize("function", list(CALLS))
def test_only_an_administrator_manages_accounts(agent, function):
    call = CALLS[function]
    before = account_row(agent)
    for name, caller in CALLERS.items():
        if name == "admin":
            continue
        with pytest.raises(AccessDenied, match="administrateur"):
            call(caller)
    # Refused calls wrote nothing: same row, one audit row (the creation), no new account.
    assert account_row(agent) == before
    assert [r.action for r in audit_rows()] == ["creation"]
    assert account_row("nouveau.compte") is None
    # The administrator and the command line's operator (an admin principal) may.
    call(ADMIN)
    if function == "disable_user":
        assert account_row(agent).is_disabled
    if function == "list_users":
        assert [u["username"] for u in call(OPERATOR)] == [agent]


def test_forged_principal_objects_are_refused(agent):
    class Fake:
        role = "admin"
        user_id = "x"

    with pytest.raises(AccessDenied):
        accounts.list_users(Fake())
    with pytest.raises(AccessDenied):
        accounts.list_users({"role": "admin"})


# --- password policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", "trop court"),
        ("Court1!", "trop court"),
        ("a" * 11, "trop court"),
        ("x" * 129, "trop long"),
        (" girafe nuageuse sur le toit", "espace"),
        ("agent.med-est-la-2026", "identifiant"),
        ("AGENT.MED bleu vert rouge", "identifiant"),
        ("aaaaaaaaaaaaaaaa", "répète"),
        ("azertyuiopqsdfgh", "clavier"),
        ("abcdefghijklmnop", "suite"),
        ("motdepasse1234", "deviner"),
        ("password12345", "deviner"),
        ("pilotage sppe 2026", "deviner"),
        ("Méditerranée1234", "deviner"),
        (None, "manquant"),
    ],
)
def test_password_policy_refuses_with_a_french_reason(password, why):
    with pytest.raises(accounts.AccountError, match=why):
        accounts.check_password(password, "agent.med", "Agent Méditerranée")


@pytest.mark.parametrize(
    "password", [PASSWORD, OTHER_PASSWORD, "Vq8#r2!Lm0@z", "é" * 12 + " poney rapide", LONGEST]
)
def test_password_policy_accepts_strong_passwords(password):
    accounts.check_password(password, "agent.med", "Agent Méditerranée")


def test_the_name_is_a_known_input(store_url, fast_hash):
    accounts.check_password("Bérénice Vautrin 1987", "b.v", "Agent")
    with pytest.raises(accounts.AccountError, match="nom"):
        accounts.check_password("Bérénice Vautrin 1987", "b.v", "Bérénice Vautrin")
    with pytest.raises(accounts.AccountError, match="trop court"):
        accounts.add_user(ADMIN, "court", "court", "reader")
    assert account_row("court") is None


# --- account life, audit, no hash -----------------------------------------------------------


def test_account_life_is_audited_and_no_hash_leaves_the_module(agent):
    with pytest.raises(accounts.AccountError, match="existe déjà"):
        accounts.add_user(ADMIN, " Agent.MED ", OTHER_PASSWORD, "reader")
    with pytest.raises(accounts.AccountError, match="Identifiant invalide"):
        accounts.add_user(ADMIN, "é", OTHER_PASSWORD, "reader")
    with pytest.raises(accounts.AccountError, match="Rôle inconnu"):
        accounts.add_user(ADMIN, "x.y", OTHER_PASSWORD, "superuser")
    with pytest.raises(accounts.AccountError, match="exige un pôle"):
        accounts.add_user(ADMIN, "x.y", OTHER_PASSWORD, "pole", "nulle-part")
    with pytest.raises(accounts.AccountError, match="introuvable"):
        accounts.disable_user(ADMIN, "personne")
    with pytest.raises(accounts.AccountError, match="propre compte"):
        accounts.disable_user(ADMIN, ADMIN.user_id)
    with pytest.raises(accounts.AccountError, match="propre compte"):
        accounts.set_role(ADMIN, ADMIN.user_id, "reader")

    assert accounts.set_role(ADMIN, agent, "pole", "atlantique") is True
    assert accounts.set_role(ADMIN, agent, "pole", "atlantique") is False  # nothing to do
    assert accounts.disable_user(ADMIN, agent) is True
    assert accounts.disable_user(ADMIN, agent) is False
    assert accounts.enable_user(ADMIN, agent) is True
    assert accounts.set_password(OPERATOR, agent, OTHER_PASSWORD) is True
    with pytest.raises(accounts.AccountError, match="trop court"):
        accounts.set_password(ADMIN, agent, "court")

    [listed] = accounts.list_users(ADMIN)
    assert listed["username"] == agent and listed["role"] == "pole"
    assert listed["pole_code"] == "atlantique" and listed["disabled"] is False
    assert listed["auth_source"] == "local" and listed["name"] == "Agent Méd"

    rows = audit_rows()
    assert [(r.action, r.actor, r.entity) for r in rows] == [
        ("creation", "admin.test", "compte"),
        ("changement_role", "admin.test", "compte"),
        ("desactivation", "admin.test", "compte"),
        ("reactivation", "admin.test", "compte"),
        ("changement_mot_de_passe", "ligne-de-commande", "compte"),
    ]
    assert json.loads(rows[1].before_json) == {"pole_code": "mediterranee"}
    assert json.loads(rows[1].after_json) == {"pole_code": "atlantique"}
    assert json.loads(rows[2].after_json) == {"is_disabled": True}

    stored_hash = account_row(agent).password_hash
    assert stored_hash.startswith("$argon2id$") and PASSWORD not in stored_hash
    everything = [
        repr(accounts.list_users(ADMIN)),
        *(f"{r.before_json} {r.after_json}" for r in rows),
        repr(accounts.authenticate(agent, OTHER_PASSWORD)),
        refused(agent, PASSWORD),
    ]
    for text in everything:
        assert "$argon2" not in text and stored_hash not in text
        assert PASSWORD not in text and OTHER_PASSWORD not in text


# --- sign-in: one answer, lock-out, throttle ------------------------------------------------


def test_every_refusal_gives_the_same_message(agent):
    accounts.record_oidc_sign_in(Principal("marie@cnaf.fr", "Marie", "cnaf"))
    accounts.add_user(ADMIN, "ancien", OTHER_PASSWORD, "reader")
    accounts.disable_user(ADMIN, "ancien")
    messages = {
        "unknown": refused("personne", PASSWORD),
        "wrong": refused(agent, OTHER_PASSWORD),
        "empty": refused(agent, ""),
        "none": refused(None, None),
        "disabled, right password": refused("ancien", OTHER_PASSWORD),
        "identity provider account": refused("marie@cnaf.fr", ""),
        "too long": refused(agent, PASSWORD + "x" * 10_000),
    }
    for _ in range(accounts.MAX_FAILURES):
        refused(agent, "encore faux")
    messages["locked, right password"] = refused(agent, PASSWORD)
    assert set(messages.values()) == {REFUSED}, messages
    assert "incorrect" in REFUSED and "verrouillé" in REFUSED


def test_lock_out_after_five_failures_then_fifteen_minutes(agent):
    start = accounts._now()
    for n in range(1, accounts.MAX_FAILURES):
        refused(agent, "faux", now=start)
        assert account_row(agent).failed_count == n
    refused(agent, "faux", now=start)  # the fifth: locked
    row = account_row(agent)
    assert row.locked_until == start + timedelta(minutes=accounts.LOCK_MINUTES)
    assert row.failed_count == 0
    refused(agent, PASSWORD, now=start + timedelta(minutes=14))  # still locked
    refused(agent, "faux", now=start + timedelta(minutes=14))  # not counted while locked
    assert account_row(agent).locked_until == row.locked_until
    later = start + timedelta(minutes=accounts.LOCK_MINUTES, seconds=1)
    assert accounts.authenticate(agent, PASSWORD, now=later).role == "pole"
    assert account_row(agent).failed_count == 0 and account_row(agent).locked_until is None
    # A success resets the count: four failures, a success, four failures: not locked.
    for _ in range(4):
        refused(agent, "faux", now=later)
    accounts.authenticate(agent, PASSWORD, now=later)
    for _ in range(4):
        refused(agent, "faux", now=later)
    assert accounts.authenticate(agent, PASSWORD, now=later).user_id == agent


def test_throttle_per_client_address(agent):
    now = accounts._now()
    attacker, colleague = "203.0.113.9", "198.51.100.7"
    for i in range(accounts.THROTTLE_FAILURES):
        refused(f"inconnu{i}", "faux", attacker, now=now)  # unknown accounts: no lock-out
    assert account_row(agent).failed_count == 0
    # The address is refused without checking, even with the right password...
    assert refused(agent, PASSWORD, attacker, now=now) == REFUSED
    assert account_row(agent).failed_count == 0  # ...and the account is not touched
    # Other addresses and unknown addresses are not affected.
    assert accounts.authenticate(agent, PASSWORD, colleague, now=now).user_id == agent
    assert accounts.authenticate(agent, PASSWORD, None, now=now).user_id == agent
    # The window slides: 15 minutes after the last failure the address may try again,
    # and the expired throttle rows are purged by the next failure.
    later = now + timedelta(minutes=accounts.THROTTLE_MINUTES, seconds=1)
    assert accounts.authenticate(agent, PASSWORD, attacker, now=later).user_id == agent
    refused("inconnu", "faux", colleague, now=later)
    f = schema.signin_failures
    keys = [r.client_key for r in store.get_store().rows(sa.select(f.c.client_key))]
    assert keys == [colleague]


# --- concurrency ----------------------------------------------------------------------------


def _attempts(username: str, password: str, go: threading.Barrier, errors: list) -> None:
    go.wait()
    try:
        for _ in range(3):
            with contextlib.suppress(accounts.SignInError):
                accounts.authenticate(username, password)
    except BaseException as exc:
        errors.append(exc)


def test_disable_is_never_undone_by_concurrent_sign_ins(agent):
    """Threads signing in (right and wrong passwords) while an administrator disables:
    the account ends disabled every time."""
    for round_ in range(5):
        accounts.enable_user(ADMIN, agent)
        go = threading.Barrier(5)
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_attempts, args=(agent, p, go, errors))
                   for p in (PASSWORD, "faux", PASSWORD, "faux")]  # fmt: skip
        for t in threads:
            t.start()
        go.wait()
        time.sleep(0.005 * round_)
        accounts.disable_user(ADMIN, agent)
        for t in threads:
            t.join()
        assert not errors, errors
        assert account_row(agent).is_disabled, f"round {round_}: disable undone"
        assert refused(agent, PASSWORD) == REFUSED


def test_concurrent_failures_are_counted_exactly(agent):
    go = threading.Barrier(4)

    def fail() -> None:
        go.wait()
        refused(agent, "faux")

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert account_row(agent).failed_count == 4


# --- sessions follow the account ------------------------------------------------------------


def test_refresh_follows_the_account(agent):
    session = accounts.authenticate(agent, PASSWORD)
    assert session.session_epoch == 0
    assert accounts.refresh(session) == session
    accounts.set_role(ADMIN, agent, "reader")
    now_reader = accounts.refresh(session)
    assert (now_reader.role, now_reader.pole_code) == ("reader", None)
    assert accounts.refresh(now_reader) == now_reader  # same session goes on
    accounts.disable_user(ADMIN, agent)
    assert accounts.refresh(now_reader) is None
    accounts.enable_user(ADMIN, agent)
    assert accounts.refresh(now_reader) is None  # ended, even enabled again
    again = accounts.authenticate(agent, PASSWORD)
    assert accounts.refresh(again) == again
    accounts.set_password(ADMIN, agent, OTHER_PASSWORD)
    assert accounts.refresh(again) is None  # a new password ends the open sessions
    assert refused(agent, PASSWORD) == REFUSED
    assert accounts.refresh(Principal("personne", "P", "reader")) is None
    assert accounts.refresh(None) is None


def test_refresh_is_one_primary_key_query(agent):
    session = accounts.authenticate(agent, PASSWORD)
    statements: list[str] = []
    engine = store.get_store().engine

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        accounts.refresh(session)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    queries = [s for s in statements if s.lstrip().lower().startswith("select")]
    assert len(queries) == 1, statements
    assert "WHERE accounts.username =" in queries[0]


# --- identity-provider accounts -------------------------------------------------------------


def test_identity_provider_accounts(agent):
    marie = Principal("marie@cnaf.fr", "Marie Curie", "cnaf")
    signed = accounts.record_oidc_sign_in(marie)
    assert signed == marie and signed.session_epoch == 0
    row = account_row("marie@cnaf.fr")
    assert (row.auth_source, row.password_hash, row.role) == ("oidc", None, "cnaf")
    assert accounts.record_oidc_sign_in(marie) == marie  # unchanged: no audit row
    moved = accounts.record_oidc_sign_in(Principal("marie@cnaf.fr", "Marie", "pole", "idf_hdf"))
    assert (moved.role, moved.pole_code) == ("pole", "idf_hdf")
    actions = [(r.action, r.actor) for r in audit_rows() if r.entity_id == "marie@cnaf.fr"]
    assert actions == [("creation", "marie@cnaf.fr"), ("modification", "marie@cnaf.fr")]
    with pytest.raises(accounts.AccountError, match="fournisseur d'identité"):
        accounts.set_password(ADMIN, "marie@cnaf.fr", OTHER_PASSWORD)
    # Its role comes from the provider at each sign-in: a change here would not hold.
    with pytest.raises(accounts.AccountError, match="sppe_roles"):
        accounts.set_role(ADMIN, "marie@cnaf.fr", "reader")
    assert account_row("marie@cnaf.fr").role == "pole"
    accounts.disable_user(ADMIN, "marie@cnaf.fr")
    assert accounts.refresh(moved) is None
    with pytest.raises(accounts.SignInError, match="désactivé"):
        accounts.record_oidc_sign_in(marie)
    assert account_row("marie@cnaf.fr").is_disabled  # the sign-in did not undo it
    with pytest.raises(accounts.SignInError, match="compte local"):
        accounts.record_oidc_sign_in(Principal(agent, "Imposteur", "admin"))
    assert account_row(agent).role == "pole"


# --- injection strings ----------------------------------------------------------------------


@pytest.mark.parametrize("name", INJECTIONS)
def test_injection_strings_as_identifiers(agent, name):
    with pytest.raises(accounts.AccountError, match="Identifiant invalide"):
        accounts.add_user(ADMIN, name, OTHER_PASSWORD, "admin")
    assert refused(name, PASSWORD, name) == REFUSED  # as an identifier and an address
    assert refused(name, name) == REFUSED
    with pytest.raises(accounts.AccountError, match="introuvable"):
        accounts.disable_user(ADMIN, name)
    assert accounts.refresh(Principal(name[:200], "x", "admin")) is None
    # Nothing else was touched: one account, one audit row, the agent still signs in.
    assert [u["username"] for u in accounts.list_users(ADMIN)] == [agent]
    assert len(audit_rows()) == 1
    assert accounts.authenticate(agent, PASSWORD).user_id == agent
    # Stored verbatim when it comes from the identity provider (bound parameters), but
    # never with a control character (PostgreSQL refuses NUL in text).
    email = f"{name[:150]}@example.org"
    if "\x00" in name:
        with pytest.raises(accounts.SignInError, match="invalide"):
            accounts.record_oidc_sign_in(Principal(email, "x", "reader"))
        return
    accounts.record_oidc_sign_in(Principal(email, name[:100], "reader"))
    assert account_row(accounts.normalise_username(email)).auth_source == "oidc"


# --- timing ---------------------------------------------------------------------------------


def _refusal_medians(cases: dict[str, tuple[str, str]], rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {k: [] for k in cases}
    order = list(cases)
    for n in range(rounds):
        for label in order[n % len(order) :] + order[: n % len(order)]:  # rotated order
            user, password = cases[label]
            start = time.perf_counter()
            refused(user, password)
            samples[label].append(time.perf_counter() - start)
        accounts.enable_user(ADMIN, "agent.lent")  # keeps it below the lock-out
    return {k: statistics.median(v) for k, v in samples.items()}


def test_refusals_take_the_same_time(store_url, capsys):
    """Real argon2 parameters; interleaved samples, medians printed. The machine running
    the tests may be busy: a measure out of bounds is taken again (three tries), so only
    a systematic difference fails."""
    accounts.add_user(ADMIN, "agent.lent", PASSWORD, "reader")
    accounts.add_user(ADMIN, "agent.verrou", PASSWORD, "reader")
    for _ in range(accounts.MAX_FAILURES):
        refused("agent.verrou", "faux")
    assert account_row("agent.verrou").locked_until is not None
    cases = {
        "inconnu": ("personne.inconnue", PASSWORD),
        "mauvais mot de passe": ("agent.lent", OTHER_PASSWORD),
        "verrouillé (bon mot de passe)": ("agent.verrou", PASSWORD),
    }
    for attempt in range(1, 4):
        medians = _refusal_medians(cases, rounds=9)
        reference = medians["mauvais mot de passe"]
        ratios = {k: v / reference for k, v in medians.items()}
        with capsys.disabled():
            print(
                f"\nTemps de refus ({store.get_store().dialect}, essai {attempt}), médianes sur 9 :"
            )
            for label, value in medians.items():
                print(f"  {label:32s} {1000 * value:7.1f} ms  (rapport {ratios[label]:.2f})")
        if all(0.7 <= r <= 1.4 for r in ratios.values()):
            return
    pytest.fail(f"temps de refus différents : {medians}")


# --- the app (AppTest, SQLite): fail-closed start, sign-in, sessions, the Comptes page -------

APP = "../app.py"


def run_app(page: str | None = None, **session) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    [button] = [b for b in at.button if b.label == "Se connecter"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def closed(at: AppTest) -> str:
    """The one message of a closed app; asserts nothing else is drawn."""
    assert at.title[0].value.startswith(("Connexion impossible", "Pilotage SPPE indisponible"))
    assert not at.sidebar.children or not any(True for _ in at.sidebar)  # no menu, no filters
    assert not at.selectbox and not at.dataframe and not at.metric
    [error] = at.error
    shown = " ".join([error.value, *(i.value for i in at.info)])
    return shown.replace("\\", "")  # the page escapes Markdown


@pytest.fixture
def local_app(tiny_data, fast_hash, monkeypatch):
    monkeypatch.setenv("SPPE_AUTH_MODE", "local")
    accounts.add_user(ADMIN, "agent.med", PASSWORD, "pole", "mediterranee", "Agent Méd")
    return tiny_data


def test_no_mode_configured_closes_the_app(tiny_data, monkeypatch):
    monkeypatch.setenv("SPPE_AUTH_MODE", "")
    message = closed(run_app())
    assert "Aucun mode de connexion n'est configuré" in message
    assert "SPPE_AUTH_MODE" in message and "secrets.example.toml" in message
    # Even with the demo role asked for in the session: nothing.
    assert "Aucun mode" in closed(run_app(demo_role="admin"))


def test_unknown_mode_closes_the_app(tiny_data, monkeypatch):
    monkeypatch.setenv("SPPE_AUTH_MODE", "**nimporte**")
    assert "Mode de connexion inconnu « **nimporte** »" in closed(run_app())


def test_a_broken_secrets_file_closes_the_app(tiny_data, tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[sppe]\nauth_mode = "local"\n\n[auth]\nclient_id = pilotage\n')
    monkeypatch.setenv("SPPE_AUTH_MODE", "")
    monkeypatch.setattr(st_config, "get_option", _option({"secrets.files": [str(secrets)]}))
    message = closed(run_app())
    assert f"{secrets} est illisible" in message and "ligne 5, colonne 13" in message
    # The same file, mended: the mode it sets applies.
    secrets.write_text('[sppe]\nauth_mode = "local"\n')
    at = run_app()
    assert at.title[0].value == "Connexion" and not at.error


def test_the_secrets_file_sets_the_mode_and_the_variable_wins(tiny_data, tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[sppe]\nauth_mode = "demo"\n')
    monkeypatch.setattr(st_config, "get_option", _option({"secrets.files": [str(secrets)]}))
    monkeypatch.setenv("SPPE_AUTH_MODE", "")
    assert "Synthèse" in run_app().title[0].value  # demo, as the file says
    monkeypatch.setenv("SPPE_AUTH_MODE", "local")
    assert run_app().title[0].value == "Connexion"


def _option(overrides: dict):
    original = st_config.get_option

    def get_option(key: str):
        return overrides[key] if key in overrides else original(key)

    return get_option


def test_an_unreadable_store_closes_the_app_in_local_mode(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setenv("SPPE_AUTH_MODE", "local")
    monkeypatch.setenv("SPPE_DATABASE_URL", f"sqlite:///{tmp_path / 'absente.sqlite3'}")
    store.reset_cache()
    message = closed(run_app())
    assert "absente.sqlite3 absente" in message and "sppe migrate" in message


def test_local_sign_in_in_the_app(local_app):
    at = run_app()
    assert at.title[0].value == "Connexion" and not at.sidebar.selectbox
    sign_in(at, "agent.med", "mauvais mot de passe")
    assert [e.value for e in at.error] == [REFUSED]
    sign_in(at, "inconnu", PASSWORD)
    assert [e.value for e in at.error] == [REFUSED]
    sign_in(at, "agent.med", PASSWORD)
    assert at.title[0].value == "Synthèse des indicateurs"
    assert at.session_state["principal"].pole_code == "mediterranee"
    assert account_row("agent.med").failed_count == 0


def test_open_sessions_follow_the_account(local_app):
    at = sign_in(run_app(), "agent.med", PASSWORD)
    at.switch_page("app_pages/saisie.py").run()
    assert "Saisie" in at.title[0].value
    accounts.set_role(ADMIN, "agent.med", "pole", "atlantique")
    at.run()  # the next interaction: same session, new pôle
    assert at.session_state["principal"].pole_code == "atlantique"
    accounts.disable_user(ADMIN, "agent.med")
    at.run()
    assert at.title[0].value == "Connexion"
    assert "principal" not in at.session_state
    assert "Votre session a été fermée" in at.warning[0].value
    accounts.enable_user(ADMIN, "agent.med")
    sign_in(at, "agent.med", PASSWORD)
    assert at.session_state["principal"].role == "pole" and not at.warning


def test_the_accounts_page(local_app):
    accounts.add_user(ADMIN, "chef", OTHER_PASSWORD, "admin", name="Chef")
    at = sign_in(run_app(), "chef", OTHER_PASSWORD)
    at.switch_page("app_pages/comptes.py").run()
    table = at.dataframe[0].value
    assert list(table["Identifiant"]) == ["agent.med", "chef"]
    assert list(table["État"]) == ["actif", "actif"]
    assert not any("argon2" in str(v) for v in table.to_numpy().ravel())
    # Create an account: a weak password is refused with the reason, a good one works.
    form = {t.label: t for t in at.text_input}
    form["Identifiant"].set_value("nouveau.venu")
    form["Mot de passe initial"].set_value("azertyuiop")
    [create] = [b for b in at.button if b.label == "Créer le compte"]
    create.click().run()
    assert any("trop court" in e.value for e in at.error)
    assert account_row("nouveau.venu") is None
    form = {t.label: t for t in at.text_input}
    form["Identifiant"].set_value("nouveau.venu")
    form["Mot de passe initial"].set_value(LONGEST)
    [create] = [b for b in at.button if b.label == "Créer le compte"]
    create.click().run()
    assert "nouveau.venu" in at.success[0].value
    assert account_row("nouveau.venu").role == "reader"
    # Disable agent.med from the page.
    at.selectbox(key="account_target").set_value("agent.med").run()
    at.radio[0].set_value("toggle").run()
    [toggle] = [b for b in at.button if b.label == "Désactiver"]
    toggle.click().run()
    assert account_row("agent.med").is_disabled
    assert [r.action for r in audit_rows()][-1] == "desactivation"
    assert [r.actor for r in audit_rows()][-1] == "chef"
