"""Sign-in accounts, in the store (``accounts`` and ``signin_failures`` tables): local
accounts (password) and the accounts of users signed in by the identity provider (their
role mapping is ``identity``'s).

Account management (add, list, disable, enable, set the role, set the password) takes
the caller first and checks here that it is an administrator (the command line runs as
an administrator principal); every change writes an audit row (entity ``compte``) in the
same transaction. A password is kept only as an argon2id hash (salted, memory-hard) that
never leaves this module: not listed, not audited, not in an error message.

Every write is one SQL statement on the current row (``failed_count = failed_count + 1``,
``is_disabled = true``...), never a rewrite from a copy read earlier: a sign-in attempt
running at the same time as ``disable_user`` cannot undo it.

Sign-in (``authenticate``) answers the same way, in the same time, to an unknown
account, a wrong password, a locked or disabled account and a throttled address: one
generic French message after exactly one argon2 verification (against a dummy hash
when there is no password to check). Lock-out: ``MAX_FAILURES`` failures in a row lock
the account for ``LOCK_MINUTES``. Throttle: once ``THROTTLE_FAILURES`` failures came
from one client address in the last ``THROTTLE_MINUTES``, that address is refused
without checking the password (and without counting against the account).

Sessions: ``session_epoch`` goes up when an event must end the open sessions of the
account (disabled, enabled again, password changed); ``refresh`` returns None then. A
role or pôle change does not end the session: ``refresh`` returns the new rights.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from sppe_data import journal, reference, store
from sppe_data.auth import ROLE_LABELS, AccessDenied, Principal
from sppe_data.store import schema

USERS_FILE = "users.json"  # the former accounts file, imported once by store.import_legacy
MAX_FAILURES = 5
LOCK_MINUTES = 15
THROTTLE_FAILURES = 20
THROTTLE_MINUTES = 15
PASSWORD_MIN = 12
PASSWORD_MAX = 128
PASSWORD_MIN_SCORE = 3  # zxcvbn, 0..4: 3 = "safely unguessable" (~10^8 guesses and more)
_ZXCVBN_MAX = 72  # zxcvbn refuses longer inputs: the first 72 characters are scored
# Letters left once the identifier, the name and the application's words are taken out.
_OWN_LETTERS_MIN = 6
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
USERNAME_MAX = 200  # column size; identity-provider accounts are e-mail addresses
NAME_MAX = 200
CLIENT_KEY_MAX = 100
NO_CLIENT_KEY = "-"  # signin_failures.client_key of an attempt with no known address
ENTITY = "compte"
MANAGE_ROLES = frozenset({"admin"})
# Words that make a password guessable here, whoever the user is.
_APP_WORDS = ["sppe", "pilotage", "cnaf", "caf", "petite", "enfance", "motdepasse"]
# zxcvbn knows QWERTY keyboards only: the rows of the French AZERTY keyboard, as words.
_AZERTY_WORDS = ["azerty", "azertyuiop", "qsdfgh", "qsdfghjklm", "wxcvbn", "poiuytreza",
                 "mlkjhgfdsq", "nbvcxw", "aqwzsx", "azeqsdwxc", "&é\"'(-è_çà"]  # fmt: skip

SIGN_IN_REFUSED = (
    "Connexion refusée : identifiant ou mot de passe incorrect, ou compte verrouillé "
    "temporairement après plusieurs échecs. Réessayez dans quelques minutes ou contactez "
    "l'administrateur de l'application."
)

_hasher = PasswordHasher()  # argon2id, library defaults (salted, memory-hard)
# Verified when there is no password to check (unknown, identity-provider or throttled):
# the same work as a real verification. Same parameters as every new hash.
_DUMMY_HASH = _hasher.hash("compte inexistant : vérification factice")


class SignInError(Exception):
    """Sign-in refused; the message is French and safe to show."""


class AccountError(ValueError):
    """An invalid account operation (bad name, role, password, unknown account...); the
    message is French."""


def _now() -> datetime:
    """UTC, without time zone (the store's DateTime columns are UTC, naive)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(when: datetime | None) -> datetime:
    if when is None:
        return _now()
    if when.tzinfo is not None:
        return when.astimezone(UTC).replace(tzinfo=None)
    return when


def _table() -> sa.Table:
    return schema.accounts


# --- checks -------------------------------------------------------------------------------


def _require_admin(caller: Principal | None, what: str) -> Principal:
    if not isinstance(caller, Principal) or caller.role not in MANAGE_ROLES:
        raise AccessDenied(
            f"Votre rôle ne permet pas {what} : réservé à l'administrateur de l'application."
        )
    return caller


def normalise_username(username: object) -> str:
    return str(username or "").strip().lower()


def _storable(text: str) -> bool:
    """Fits an identifier column: not too long, no control character (PostgreSQL refuses
    NUL in text)."""
    return len(text) <= USERNAME_MAX and not any(unicodedata.category(c) == "Cc" for c in text)


def _printable(text: str, limit: int) -> str:
    return "".join("?" if unicodedata.category(c) == "Cc" else c for c in text)[:limit]


def _checked_username(username: object) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise AccountError(
            "Identifiant invalide : 2 à 64 caractères, lettres minuscules sans accent, "
            "chiffres, point, tiret, tiret bas ou @, commençant par une lettre ou un chiffre."
        )
    return name


def _checked_name(name: object, username: str) -> str:
    text = "".join(ch for ch in str(name or "") if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    if len(text) > NAME_MAX:
        raise AccountError(f"Nom affiché trop long : au plus {NAME_MAX} caractères.")
    return text or username


def _checked_role(role: object, pole_code: object) -> tuple[str, str | None]:
    if role not in ROLE_LABELS:
        raise AccountError(f"Rôle inconnu « {str(role)[:20]} » (rôles : {', '.join(ROLE_LABELS)}).")
    if role != "pole":
        return str(role), None
    poles = set(reference.poles()["pole_code"])
    if pole_code not in poles:
        raise AccountError(f"Le rôle pôle exige un pôle parmi : {', '.join(sorted(poles))}.")
    return "pole", str(pole_code)


_WEAKNESS = {
    "user_inputs": "il reprend l'identifiant, le nom ou le nom de l'application",
    "passwords": "il figure parmi les mots de passe les plus courants",
    "dictionary": "il est fait d'un mot courant, d'un prénom ou d'un nom de famille",
    "spatial": "il suit une rangée ou un motif du clavier (azerty, qsdf...)",
    "repeat": "il répète des caractères ou un motif (aaa, abcabc...)",
    "sequence": "il contient une suite (abcd, 6543...)",
    "regex": "il contient une année récente",
    "date": "il contient une date",
}


def check_password(password: object, username: str = "", name: str = "") -> None:
    """The password policy; raises AccountError saying why, in French. At least
    PASSWORD_MIN and at most PASSWORD_MAX characters, not containing the identifier, and
    not guessable: zxcvbn score >= PASSWORD_MIN_SCORE with the identifier, the name and
    the application's words as known inputs."""
    if not isinstance(password, str):
        raise AccountError("Mot de passe manquant.")
    if len(password) < PASSWORD_MIN:
        raise AccountError(
            f"Mot de passe trop court : au moins {PASSWORD_MIN} caractères (il en a "
            f"{len(password)}). Une phrase de plusieurs mots peu courants est plus facile à "
            "retenir et plus difficile à deviner."
        )
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"Mot de passe trop long : au plus {PASSWORD_MAX} caractères.")
    if password.strip() != password:
        raise AccountError("Le mot de passe ne doit pas commencer ni finir par une espace.")
    user = normalise_username(username)
    lowered = password.lower()
    if len(user) >= 3 and (user in lowered or user.split("@")[0] in lowered):
        raise AccountError("Le mot de passe ne doit pas contenir l'identifiant.")
    inputs = [user, *user.replace("@", ".").split("."), *str(name or "").lower().split()]
    inputs = [w for w in inputs if len(w) >= 3] + _APP_WORDS
    rest = lowered
    for word in sorted(inputs, key=len, reverse=True):
        rest = rest.replace(word, "")
    if sum(ch.isalpha() for ch in rest) < _OWN_LETTERS_MIN:
        raise AccountError(f"Mot de passe trop facile à deviner : {_WEAKNESS['user_inputs']}.")
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs + _AZERTY_WORDS)
    if result["score"] >= PASSWORD_MIN_SCORE:
        return
    reasons = []
    for match in result["sequence"]:
        kind = match.get("pattern")
        if kind == "dictionary":
            kind = match.get("dictionary_name")
            kind = kind if kind in ("user_inputs", "passwords") else "dictionary"
            if match.get("matched_word") in _AZERTY_WORDS:
                kind = "spatial"
        reason = _WEAKNESS.get(kind)
        if reason and reason not in reasons:
            reasons.append(reason)
    why = " ; ".join(reasons) if reasons else "il est trop prévisible"
    raise AccountError(
        f"Mot de passe trop facile à deviner : {why}. Choisissez une phrase de plusieurs mots "
        "peu courants, sans lien avec l'identifiant, le nom ou l'application."
    )


def _hash(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- reads --------------------------------------------------------------------------------

_PUBLIC = ("username", "display_name", "role", "pole_code", "auth_source", "is_disabled",
           "failed_count", "locked_until", "session_epoch", "created_at", "updated_at")  # fmt: skip


def _locked(row, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def list_users(caller: Principal) -> list[dict]:
    """Grain: one account, by identifier. Keys: username, name, role, pole_code,
    auth_source ('local' | 'oidc'), disabled, locked (now), locked_until (ISO text, UTC,
    or None), failed_count, created_at, updated_at. Never the hash. Administrator only."""
    _require_admin(caller, "de consulter les comptes")
    t = _table()
    rows = store.get_store().rows(sa.select(*(t.c[k] for k in _PUBLIC)).order_by(t.c.username))
    now = _now()
    return [
        {
            "username": r.username,
            "name": r.display_name,
            "role": r.role,
            "pole_code": r.pole_code,
            "auth_source": r.auth_source,
            "disabled": bool(r.is_disabled),
            "locked": _locked(r, now),
            "locked_until": r.locked_until.isoformat(timespec="seconds")
            if _locked(r, now)
            else None,
            "failed_count": int(r.failed_count),
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }
        for r in rows
    ]


def refresh(principal: Principal | None) -> Principal | None:
    """The account's current rights, read on every page run (one primary-key lookup):
    None when the account is gone, disabled, or its session epoch moved since the
    principal was read (disabled then enabled, password changed); otherwise the
    principal with the current name, role and pôle."""
    if not isinstance(principal, Principal) or not _storable(principal.user_id):
        return None
    t = _table()
    rows = store.get_store().rows(
        sa.select(t.c.display_name, t.c.role, t.c.pole_code, t.c.is_disabled,
                  t.c.session_epoch).where(t.c.username == principal.user_id)
    )  # fmt: skip
    if not rows:
        return None
    row = rows[0]
    if row.is_disabled:
        return None
    if principal.session_epoch is not None and row.session_epoch != principal.session_epoch:
        return None
    return _principal(principal.user_id, row)


def _principal(username: str, row) -> Principal | None:
    try:
        return Principal(username, row.display_name, row.role, row.pole_code, row.session_epoch)
    except ValueError:  # a role the code does not know: no rights at all
        return None


# --- account management (administrator) --------------------------------------------------


def _current_row(conn, username: str):
    """The account row inside a write transaction, locked on PostgreSQL (SQLite's write
    transaction is already exclusive)."""
    t = _table()
    if not _storable(username):
        raise AccountError(f"Compte « {_printable(username, 64)} » introuvable.")
    statement = sa.select(t).where(t.c.username == username)
    if conn.dialect.name == "postgresql":
        statement = statement.with_for_update()
    row = conn.execute(statement).first()
    if row is None:
        raise AccountError(f"Compte « {username} » introuvable.")
    return row


def add_user(
    caller: Principal,
    username: str,
    password: str,
    role: str,
    pole_code: str | None = None,
    name: str = "",
) -> dict:
    """Creates a local account; returns it as ``list_users`` shows it (no hash)."""
    _require_admin(caller, "de créer un compte")
    username = _checked_username(username)
    display = _checked_name(name, username)
    role, pole_code = _checked_role(role, pole_code)
    check_password(password, username, display)
    password_hash = _hash(password)
    now = _now()
    row = {
        "username": username, "display_name": display, "role": role, "pole_code": pole_code,
        "auth_source": "local", "is_disabled": False, "failed_count": 0, "locked_until": None,
        "session_epoch": 0, "created_at": now, "updated_at": now,
    }  # fmt: skip
    t = _table()
    with store.get_store().write() as conn:
        insert = (sa.dialects.postgresql.insert if conn.dialect.name == "postgresql"
                  else sa.dialects.sqlite.insert)(t)  # fmt: skip
        # RETURNING says whether a row was inserted (rowcount is -1 with psycopg here).
        inserted = conn.execute(
            insert.values(**row, password_hash=password_hash)
            .on_conflict_do_nothing(index_elements=["username"])
            .returning(t.c.username)
        ).first()
        if inserted is None:
            raise AccountError(f"Le compte « {username} » existe déjà.")
        journal.audit(conn, ENTITY, username, "creation", caller, None, _audited(row))
        store.Store.bump(conn, "accounts")
    return {"username": username, "name": display, "role": role, "pole_code": pole_code}


def _audited(row: dict) -> dict:
    keys = ("username", "display_name", "role", "pole_code", "auth_source", "is_disabled")
    return {k: row[k] for k in keys if k in row}


def _update(
    caller: Principal, username: str, action: str, values: dict, *, where=None, end_sessions: bool
) -> bool:
    """One UPDATE of the current row (``values`` may hold SQL expressions), audited with
    the changed columns before and after. False: nothing to change (nothing written)."""
    username = normalise_username(username)
    t = _table()
    with store.get_store().write() as conn:
        before = _current_row(conn, username)
        if where is not None and not where(before):
            return False
        values = {**values, "updated_at": _now()}
        if end_sessions:
            values["session_epoch"] = t.c.session_epoch + 1
        conn.execute(t.update().where(t.c.username == username).values(**values))
        after = conn.execute(sa.select(t).where(t.c.username == username)).one()
        changed = [k for k in _PUBLIC if k not in ("updated_at", "session_epoch")
                   and getattr(before, k) != getattr(after, k)]  # fmt: skip
        if action == "changement_mot_de_passe":
            old, new = {"password": "ancien"}, {"password": "nouveau"}
        else:
            old, new = (
                {k: getattr(before, k) for k in changed},
                {k: getattr(after, k) for k in changed},
            )
        journal.audit(conn, ENTITY, username, action, caller, old, new)
        store.Store.bump(conn, "accounts")
    return True


def _not_self(caller: Principal, username: str, what: str) -> None:
    if normalise_username(username) == caller.user_id:
        raise AccountError(
            f"Vous ne pouvez pas {what} votre propre compte : demandez-le à un autre "
            "administrateur ou passez par la ligne de commande."
        )


def disable_user(caller: Principal, username: str) -> bool:
    """Disables the account and ends its open sessions (at their next page run). False
    when it was already disabled."""
    _require_admin(caller, "de désactiver un compte")
    _not_self(caller, username, "désactiver")
    return _update(
        caller, username, "desactivation", {"is_disabled": sa.true()},
        where=lambda row: not row.is_disabled, end_sessions=True,
    )  # fmt: skip


def enable_user(caller: Principal, username: str) -> bool:
    """Enables the account again and lifts a lock-out. False when there was nothing to do."""
    _require_admin(caller, "de réactiver un compte")
    return _update(
        caller, username, "reactivation",
        {"is_disabled": sa.false(), "failed_count": 0, "locked_until": None},
        where=lambda row: row.is_disabled or row.failed_count or row.locked_until is not None,
        end_sessions=True,
    )  # fmt: skip


def _local_account(username: str, why_not: str) -> str:
    """The display name of a local account; AccountError for an unknown account or one of
    the identity provider (``why_not`` says what cannot be done with it)."""
    t = _table()
    rows = _storable(username) and store.get_store().rows(
        sa.select(t.c.display_name, t.c.auth_source).where(t.c.username == username)
    )
    if not rows:
        raise AccountError(f"Compte « {username} » introuvable.")
    if rows[0].auth_source != "local":
        raise AccountError(
            f"Le compte « {username} » se connecte par le fournisseur d'identité : {why_not}"
        )
    return rows[0].display_name


def set_role(caller: Principal, username: str, role: str, pole_code: str | None = None) -> bool:
    """Changes the role (and pôle); open sessions get the new rights at their next page
    run. False when the account already had them."""
    _require_admin(caller, "de changer le rôle d'un compte")
    role, pole_code = _checked_role(role, pole_code)
    username = normalise_username(username)
    if role != "admin":
        _not_self(caller, username, "retirer le rôle administrateur à")
    _local_account(
        username,
        "son rôle vient, à chaque connexion, des revendications du fournisseur ou de la "
        "section [sppe_roles] des secrets ; on peut seulement le désactiver ici.",
    )
    return _update(
        caller, username, "changement_role", {"role": role, "pole_code": pole_code},
        where=lambda row: (row.role, row.pole_code) != (role, pole_code), end_sessions=False,
    )  # fmt: skip


def set_password(caller: Principal, username: str, password: str) -> bool:
    """Sets a new password (policy checked), lifts a lock-out and ends the account's open
    sessions. Local accounts only."""
    _require_admin(caller, "de changer le mot de passe d'un compte")
    username = normalise_username(username)
    display_name = _local_account(username, "il n'a pas de mot de passe dans l'application.")
    check_password(password, username, display_name)
    password_hash = _hash(password)
    return _update(
        caller, username, "changement_mot_de_passe",
        {"password_hash": password_hash, "failed_count": 0, "locked_until": None},
        where=lambda row: row.auth_source == "local", end_sessions=True,
    )  # fmt: skip


# --- sign-in ------------------------------------------------------------------------------


def _client_key(client_key: object) -> str | None:
    key = _printable(str(client_key or "").strip(), CLIENT_KEY_MAX)
    return key or None


def authenticate(
    username: str, password: str, client_key: str | None = None, now: datetime | None = None
) -> Principal:
    """The signed-in principal of a local account, or SignInError with one generic
    message whatever the reason. ``client_key``: the client's address (None: unknown,
    no per-address throttle). Exactly one argon2 verification on every path."""
    now = _naive_utc(now)
    name = normalise_username(username)
    name = name if _storable(name) else ""  # looked up as no account at all
    secret = password if isinstance(password, str) and len(password) <= PASSWORD_MAX * 4 else ""
    key = _client_key(client_key)
    st = store.get_store()
    t, f = _table(), schema.signin_failures
    throttled = False
    if key is not None:
        since = now - timedelta(minutes=THROTTLE_MINUTES)
        [(recent,)] = st.rows(
            sa.select(sa.func.count()).select_from(f)
            .where(f.c.client_key == key, f.c.failed_at > since)
        )  # fmt: skip
        throttled = recent >= THROTTLE_FAILURES
    row = None
    if not throttled and name:
        found = st.rows(sa.select(t).where(t.c.username == name))
        row = found[0] if found else None
    has_password = row is not None and row.auth_source == "local" and bool(row.password_hash)
    verified = _verify(row.password_hash if has_password else _DUMMY_HASH, secret)
    if verified and has_password and not row.is_disabled and not _locked(row, now):
        with st.write() as conn:
            # Only if the row is still the one checked: a disable, a password change or a
            # lock-out committed meanwhile wins.
            done = conn.execute(
                t.update()
                .where(t.c.username == name, t.c.is_disabled.is_(False),
                       t.c.password_hash == row.password_hash,
                       t.c.session_epoch == row.session_epoch,
                       sa.or_(t.c.locked_until.is_(None), t.c.locked_until <= now))
                .values(failed_count=0, locked_until=None)
                .returning(t.c.username)
            ).first()  # fmt: skip
        if done is not None:
            principal = _principal(name, row)
            if principal is not None:
                return principal
    shown = name or _printable(normalise_username(username), USERNAME_MAX)
    _record_failure(key, shown, None if throttled or row is None else name, now)
    raise SignInError(SIGN_IN_REFUSED)


def _record_failure(key: str | None, shown: str, account: str | None, now: datetime) -> None:
    """One failure: a throttle row for the address (``shown``: the identifier typed), the
    counter of ``account`` (None: no account, or a throttled address, not checked; locked
    at MAX_FAILURES; not counted while locked), and the purge of expired throttle rows.
    The same statements run whether there is an account or not."""
    t, f = _table(), schema.signin_failures
    reached = t.c.failed_count + 1 >= MAX_FAILURES
    with store.get_store().write() as conn:
        conn.execute(
            f.insert().values(client_key=key or NO_CLIENT_KEY, username=shown or None,
                              failed_at=now)
        )  # fmt: skip
        conn.execute(
            t.update()
            .where(t.c.username == (account or ""), t.c.auth_source == "local",
                   sa.or_(t.c.locked_until.is_(None), t.c.locked_until <= now))
            .values(
                failed_count=sa.case((reached, 0), else_=t.c.failed_count + 1),
                locked_until=sa.case(
                    (reached, now + timedelta(minutes=LOCK_MINUTES)), else_=t.c.locked_until
                ),
            )
        )  # fmt: skip
        conn.execute(f.delete().where(f.c.failed_at < now - timedelta(minutes=THROTTLE_MINUTES)))


# --- identity provider (oidc mode) -------------------------------------------------------


def record_oidc_sign_in(principal: Principal) -> Principal:
    """Creates or updates the account of a user signed in by the identity provider
    (auth_source 'oidc', no password) with the role mapped from their claims; returns
    the principal to keep in the session (with its session epoch). SignInError when the
    account is disabled, or is a local account of the same identifier."""
    if not isinstance(principal, Principal):
        raise SignInError("Connexion refusée : identité incomplète.")
    username = normalise_username(principal.user_id)
    if not username or not _storable(username):
        raise SignInError("Connexion refusée : identifiant du fournisseur d'identité invalide.")
    display = _checked_name(principal.display_name, username)[:NAME_MAX]
    role, pole_code = principal.role, principal.pole_code if principal.role == "pole" else None
    now = _now()
    t = _table()
    with store.get_store().write() as conn:
        insert = (sa.dialects.postgresql.insert if conn.dialect.name == "postgresql"
                  else sa.dialects.sqlite.insert)(t)  # fmt: skip
        created = {
            "username": username, "display_name": display, "role": role,
            "pole_code": pole_code, "auth_source": "oidc", "is_disabled": False,
            "failed_count": 0, "session_epoch": 0, "created_at": now, "updated_at": now,
        }  # fmt: skip
        inserted = conn.execute(
            insert.values(**created)
            .on_conflict_do_nothing(index_elements=["username"])
            .returning(t.c.username)
        ).first()
        who = Principal(username, display, role, pole_code)
        if inserted is not None:
            journal.audit(conn, ENTITY, username, "creation", who, None, _audited(created))
            store.Store.bump(conn, "accounts")
            return Principal(username, display, role, pole_code, 0)
        row = _current_row(conn, username)
        if row.auth_source != "oidc":
            raise SignInError(
                "Connexion refusée : un compte local porte déjà cet identifiant. Demandez à "
                "l'administrateur de l'application de le renommer ou de le supprimer."
            )
        if row.is_disabled:
            raise SignInError(
                "Connexion refusée : ce compte est désactivé dans Pilotage SPPE. Contactez "
                "l'administrateur de l'application."
            )
        new = {"display_name": display, "role": role, "pole_code": pole_code}
        changed = {k: v for k, v in new.items() if getattr(row, k) != v}
        if changed:
            conn.execute(
                t.update()
                .where(t.c.username == username, t.c.is_disabled.is_(False))
                .values(**changed, updated_at=now)
            )
            before = {k: getattr(row, k) for k in changed}
            journal.audit(conn, ENTITY, username, "modification", who, before, changed)
            store.Store.bump(conn, "accounts")
        return Principal(username, display, role, pole_code, row.session_epoch)
